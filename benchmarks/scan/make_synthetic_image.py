#!/usr/bin/env python3
"""Writes a synthetic OCI image layout for the memory-scaling benchmark.

    make_synthetic_image.py OUT_DIR --files N --bytes TOTAL [--layers 4]

The image has N files of about TOTAL/N bytes each, spread evenly over the layers (gzip, through
pigz when present). One file in a hundred is package metadata the analyzers read (a Python
METADATA or a node_modules package.json), so the inventory grows with the image as it would in
practice; the rest is filler that is only decompressed and walked. Filler files repeat a random
quarter of their size, so layers compress about 4:1.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile


def blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(out, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest


def gzip_bytes(raw):
    if shutil.which("pigz"):
        return subprocess.run(["pigz", "-1", "-n", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    import gzip
    return gzip.compress(raw, compresslevel=1, mtime=0)


def layer_tar(index, count, file_size, every):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
        for i in range(count):
            n = index * count + i
            if n % every == 0:
                add(f"usr/lib/python3/site-packages/pkg{n}-1.{n % 7}.0.dist-info/METADATA",
                    f"Metadata-Version: 2.1\nName: pkg{n}\nVersion: 1.{n % 7}.0\nLicense: MIT\n\n".encode())
            elif n % every == every // 2:
                add(f"app/node_modules/mod{n}/package.json",
                    json.dumps({"name": f"mod{n}", "version": f"2.{n % 5}.1", "license": "ISC"}).encode())
            else:
                block = os.urandom(max(1, file_size // 4))
                add(f"opt/data/d{n // 1000}/f{n}.bin", (block * 5)[:file_size])
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--bytes", type=int, required=True)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--metadata-every", type=int, default=100, help="one file in this many is package metadata")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "blobs", "sha256"), exist_ok=True)
    file_size = max(1, args.bytes // args.files)
    per_layer = args.files // args.layers
    layers, diff_ids = [], []
    for index in range(args.layers):
        raw = layer_tar(index, per_layer, file_size, args.metadata_every)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        compressed = gzip_bytes(raw)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": blob(args.out, compressed), "size": len(compressed)})
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": blob(args.out, config), "size": len(config)},
                           "layers": layers}).encode()
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                "digest": blob(args.out, manifest), "size": len(manifest),
                                                "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(args.out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


if __name__ == "__main__":
    main()
