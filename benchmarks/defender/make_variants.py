#!/usr/bin/env python3
"""Makes N variants of an OCI layout's image, each with one extra small layer of its own (a
build-id file), the way CI pushes a new application layer on a shared base every time.

    make_variants.py SOURCE_LAYOUT OUT_DIR N

Writes OUT_DIR/v0 … OUT_DIR/v{N-1}, each a complete OCI layout tagged "latest" (blobs are hard
links to the source's, so the variants cost almost no disk).
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def blob_path(layout, digest):
    algo, hexa = digest.split(":")
    return os.path.join(layout, "blobs", algo, hexa)


def write_blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = blob_path(layout, digest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return digest


def main():
    source, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    index = json.load(open(os.path.join(source, "index.json")))
    top = index["manifests"][0]
    manifest = json.load(open(blob_path(source, top["digest"])))
    config = json.load(open(blob_path(source, manifest["config"]["digest"])))
    for i in range(count):
        layout = os.path.join(out, f"v{i}")
        os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
        for descriptor in manifest["layers"]:
            target = blob_path(layout, descriptor["digest"])
            if not os.path.exists(target):
                os.link(blob_path(source, descriptor["digest"]), target)
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            content = f"build {i}\n".encode()
            info = tarfile.TarInfo("etc/build-id")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        layer = gzip.compress(raw.getvalue(), mtime=0)
        layer_digest = write_blob(layout, layer)
        new_config = json.loads(json.dumps(config))
        new_config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
        new_config.setdefault("history", []).append({"created_by": f"COPY build-id {i} /etc/build-id"})
        config_bytes = json.dumps(new_config, sort_keys=True).encode()
        new_manifest = json.loads(json.dumps(manifest))
        new_manifest["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": write_blob(layout, config_bytes),
                                  "size": len(config_bytes)}
        new_manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                                       "size": len(layer)})
        manifest_bytes = json.dumps(new_manifest, sort_keys=True).encode()
        digest = write_blob(layout, manifest_bytes)
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": new_manifest.get("mediaType", "application/vnd.oci.image.manifest.v1+json"),
                                                       "digest": digest, "size": len(manifest_bytes),
                                                       "annotations": {"org.opencontainers.image.ref.name": "latest"}}]},
                  open(os.path.join(layout, "index.json"), "w"))
        with open(os.path.join(layout, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')


main()
