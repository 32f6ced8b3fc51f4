"""Seeds a fuzz target's corpus from the repository's test fixtures (scripts/fuzz.sh calls it).

    seed_corpus.py TARGET ROOT CORPUS

versions: every pair of the version tables Tests/VersioningTests/Data/*.tsv, as the selector
byte of its ecosystem + a + NUL + b. manifest: the manifests, indexes and configs of the test
images in .cache/analysis-images (when built) and a few references, digests and names.
analyzers: the small files of Tests/AnalysisTests/Fixtures under every analyzer selector.
"""
import glob
import hashlib
import json
import os
import sys

target, root, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
ECOSYSTEMS = {"dpkg": 0, "rpm": 1, "apk": 2, "pep440": 3, "npm": 4, "go": 5, "maven": 6, "cargo": 7,
              "composer": 8, "nuget": 9, "rubygems": 10, "semver": 11}


def write(data: bytes):
    with open(os.path.join(corpus, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


if target == "versions":
    for path in glob.glob(os.path.join(root, "Tests/VersioningTests/Data/*.tsv")):
        name = os.path.basename(path)[:-4]
        selector = ECOSYSTEMS.get(name.split("_")[0])
        if selector is None or "ranges" in name:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f):
                if line.startswith("#") or n > 400:
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    write(bytes([selector]) + parts[0].encode() + b"\0" + parts[1].encode())
elif target == "manifest":
    for blob in glob.glob(os.path.join(root, ".cache/analysis-images/oci/*/blobs/sha256/*")):
        if os.path.getsize(blob) < 65536:
            with open(blob, "rb") as f:
                data = f.read()
            try:
                json.loads(data)
            except ValueError:
                continue
            for selector in (0, 6, 12, 18, 24):
                write(bytes([selector]) + data)
    for text in ["docker.io/library/debian:12", "127.0.0.1:5000/team/app@sha256:" + "a" * 64, "ghcr.io/o/r:v1.2",
                 "localhost/x", "team/app", "v1.0", "sha256:" + "0" * 64, "sha512:" + "f" * 128]:
        for selector in (3, 4, 5):
            write(bytes([selector]) + text.encode())
elif target == "analyzers":
    # Every small fixture file under every analyzer selector: the target gives each analyzer a
    # path it wants, so the fixture lands in the parser whose format it is (and in the others).
    files = [p for p in glob.glob(os.path.join(root, "Tests/AnalysisTests/Fixtures/**/*"), recursive=True)
             if os.path.isfile(p) and os.path.getsize(p) < 65536]
    for path in sorted(files)[:600]:
        with open(path, "rb") as f:
            data = f.read()
        for selector in range(24):
            write(bytes([selector]) + data)
else:
    sys.exit(f"unknown target {target}")
