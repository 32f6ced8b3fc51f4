"""Builds OCI layouts of hostile images for HostileImageTests.

    hostile_layout.py OUT [--small]

OUT/hostile: one image whose layers attack the analysis:
  1. a vulnerable Python package, then a file of 10 GiB of zeros: gzip members of 64 MiB of
     zeros repeated (about 10 MB compressed), so the layer inflates to 10 GiB;
  2. a million empty files, then a package's METADATA (found only if the walk gets there);
  3. names that try to leave the root (`..`, absolute), symlink loops (also through the OS
     identification files), a hard link to a path outside the layer, a file 10,000 directories
     deep;
  4. a 4 GiB GNU sparse file (made by GNU tar from a `truncate`d file).
OUT/nested: an index whose only entry is another index.
OUT/corrupt: an image whose layer's bytes do not match its digest.
With --small, only the last two.

The config's diff_ids are the blob digests: hashing 10 GiB of zeros here would cost more than the
test, and nothing checks them (they are only cache keys, and the tests run without the cache).
"""
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib


def member(data: bytes, level: int = 6) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def tar_file(name: str, data: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    header = info.tobuf(format=tarfile.PAX_FORMAT)
    padding = (512 - len(data) % 512) % 512
    return header + data + b"\0" * padding


def metadata(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


def site_packages(name: str, version: str) -> str:
    return f"usr/local/lib/python3.11/site-packages/{name}-{version}.dist-info/METADATA"


def zeros_layer() -> bytes:
    first = tar_file(site_packages("requests", "2.2.0"), metadata("requests", "2.2.0"))
    info = tarfile.TarInfo("var/log/lastlog")
    info.size = 10 << 30
    first += info.tobuf(format=tarfile.PAX_FORMAT)
    chunk = member(b"\0" * (64 << 20), level=9)
    # 10 GiB of content, then the two zero blocks that end the archive.
    return member(first) + chunk * 160 + member(b"\0" * 1024)


def ustar_header(name: bytes) -> bytes:
    header = bytearray(512)
    header[0:len(name)] = name
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = b"00000000000\0"
    header[136:148] = b"00000000000\0"
    header[148:156] = b" " * 8
    header[156:157] = b"0"
    header[257:263] = b"ustar\0"
    header[263:265] = b"00"
    checksum = sum(header)
    header[148:156] = b"%06o\0 " % checksum
    return bytes(header)


def flood_layer() -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    out = [compressor.compress(b"")]
    batch = []
    for i in range(1_000_000):
        batch.append(ustar_header(b"flood/%07d" % i))
        if len(batch) == 10_000:
            out.append(compressor.compress(b"".join(batch)))
            batch = []
    out.append(compressor.compress(b"".join(batch)))
    out.append(compressor.compress(tar_file(site_packages("flood-survivor", "1.0"), metadata("flood-survivor", "1.0"))))
    out.append(compressor.compress(b"\0" * 1024))
    out.append(compressor.flush())
    return b"".join(out)


def names_layer() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data=b"", kind=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

        add("../../../../../../tmp/drydock-hostile-escape", b"escaped")
        add("/tmp/drydock-hostile-absolute", b"escaped")
        add(site_packages("climber", "6.6").replace("usr/", "../../usr/", 1), metadata("climber", "6.6"))
        add("loop/a", kind=tarfile.SYMTYPE, link="b")
        add("loop/b", kind=tarfile.SYMTYPE, link="a")
        add("etc/os-release", kind=tarfile.SYMTYPE, link="../usr/lib/os-release")
        add("usr/lib/os-release", kind=tarfile.SYMTYPE, link="../../etc/os-release")
        add(site_packages("linked", "1.0"), kind=tarfile.LNKTYPE, link="../../../../etc/shadow")
        deep = "/".join(["d"] * 10_000)
        add(deep + "/" + site_packages("deep", "1.0"), metadata("deep", "1.0"))
    return member(buffer.getvalue())


def sparse_layer(work: str) -> bytes:
    path = os.path.join(work, "sparse")
    os.makedirs(path, exist_ok=True)
    subprocess.run(["truncate", "-s", "4G", os.path.join(path, "disk.img")], check=True)
    with open(os.path.join(path, "METADATA"), "wb") as f:
        f.write(metadata("sparse-neighbour", "1.0"))
    tree = os.path.join(path, "tree", os.path.dirname(site_packages("sparse-neighbour", "1.0")))
    os.makedirs(tree, exist_ok=True)
    os.rename(os.path.join(path, "METADATA"), os.path.join(tree, "METADATA"))
    os.rename(os.path.join(path, "disk.img"), os.path.join(path, "tree", "disk.img"))
    archive = os.path.join(work, "sparse.tar")
    subprocess.run(["tar", "--sparse", "--format=gnu", "-C", os.path.join(path, "tree"), "-cf", archive, "disk.img", "usr"], check=True)
    with open(archive, "rb") as f:
        return member(f.read())


class Layout:
    def __init__(self, directory: str):
        self.directory = directory
        os.makedirs(os.path.join(directory, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(directory, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(self, data: bytes) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.directory, "blobs", "sha256", digest[7:]), "wb") as f:
            f.write(data)
        return {"digest": digest, "size": len(data)}

    def image(self, layers: list) -> dict:
        descriptors = []
        for layer in layers:
            d = self.blob(layer)
            descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **d})
        config = {"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]}}
        config_d = self.blob(json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_d}, "layers": descriptors}
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json", **self.blob(json.dumps(manifest).encode())}

    def index(self, manifests: list) -> dict:
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}
        return {"mediaType": "application/vnd.oci.image.index.v1+json", **self.blob(json.dumps(index).encode())}

    def top(self, descriptor: dict):
        with open(os.path.join(self.directory, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [descriptor]}, f)


def main():
    out = sys.argv[1]
    if "--small" not in sys.argv[2:]:
        with tempfile.TemporaryDirectory() as work:
            hostile = Layout(os.path.join(out, "hostile"))
            hostile.top(hostile.image([zeros_layer(), flood_layer(), names_layer(), sparse_layer(work)]))

    nested = Layout(os.path.join(out, "nested"))
    inner = nested.index([nested.image([member(tar_file(site_packages("x", "1"), metadata("x", "1")) + b"\0" * 1024)])])
    nested.top(nested.index([inner]))

    corrupt = Layout(os.path.join(out, "corrupt"))
    good = member(tar_file(site_packages("x", "1"), metadata("x", "1")) + b"\0" * 1024)
    image = corrupt.image([good])
    layer_digest = "sha256:" + hashlib.sha256(good).hexdigest()
    path = os.path.join(corrupt.directory, "blobs", "sha256", layer_digest[7:])
    with open(path, "r+b") as f:
        f.seek(20)
        byte = f.read(1)
        f.seek(20)
        f.write(bytes([byte[0] ^ 0xFF]))
    corrupt.top(image)


if __name__ == "__main__":
    main()
