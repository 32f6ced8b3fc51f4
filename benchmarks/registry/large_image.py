#!/usr/bin/env python3
"""skopeo push and pull of one real image layout, to two registries side by side.

    large_image.py --a URL --label-a NAME --b URL --label-b NAME --layout DIR [--reps 3] --json OUT

Each repetition pushes the layout to a fresh repository of each registry (order flipped every
repetition, as shared/bench does) and pulls it back into a fresh OCI directory; the pulled blob
bytes are checked against the layout's. The JSON has the same shape as bench.py's `rows`, so
floors.py can put both in one table. Plain HTTP on loopback only.
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time


def layout_bytes(layout):
    blobs = os.path.join(layout, "blobs", "sha256")
    return sum(os.path.getsize(os.path.join(blobs, name)) for name in os.listdir(blobs))


def clear_blob_info_cache():
    """skopeo remembers which registry already holds a blob and would mount or skip it on the next
    push: the second registry would be measured doing less work. Start every copy without it."""
    if os.geteuid() == 0:
        path = "/var/lib/containers/cache/blob-info-cache-v1.boltdb"
    else:
        data = os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share"))
        path = os.path.join(data, "containers", "cache", "blob-info-cache-v1.boltdb")
    if os.path.exists(path):
        os.unlink(path)


def skopeo_copy(source, destination):
    clear_blob_info_cache()
    started = time.perf_counter()
    subprocess.run(["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false", source, destination],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--label-a", default="a")
    parser.add_argument("--label-b", default="b")
    parser.add_argument("--layout", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    total = layout_bytes(args.layout)
    size_mb = total / 1e6
    name = os.path.basename(os.path.normpath(args.layout))
    registries = [(args.label_a, args.a.split("://", 1)[-1]), (args.label_b, args.b.split("://", 1)[-1])]
    rows = {
        "large_push": {"name": f"skopeo push {name} image ({size_mb:,.0f} MB compressed)", "unit": "s",
                       "better": "lower", "samples": {}, "note": ""},
        "large_pull": {"name": f"skopeo pull {name} back to an OCI dir", "unit": "s",
                       "better": "lower", "samples": {}, "note": ""},
    }
    for rep in range(args.reps):
        order = registries if rep % 2 == 0 else list(reversed(registries))
        for label, host in order:
            work = tempfile.mkdtemp(prefix="large-image-")
            try:
                reference = f"docker://{host}/bench/{name}-{rep}-{os.getpid()}:v1"
                pushed = skopeo_copy(f"oci:{args.layout}:latest", reference)
                destination = os.path.join(work, "pulled")
                pulled = skopeo_copy(reference, f"oci:{destination}:latest")
                got = layout_bytes(destination)
                if got < total * 0.99:
                    raise SystemExit(f"{label}: pulled {got} bytes, expected about {total}")
                rows["large_push"]["samples"].setdefault(label, []).append(pushed)
                rows["large_pull"]["samples"].setdefault(label, []).append(pulled)
                print(f"large image rep {rep + 1}/{args.reps} {label}: push {pushed:.2f} s, pull {pulled:.2f} s", flush=True)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    with open(args.json, "w") as out:
        json.dump({"labels": [args.label_a, args.label_b], "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
