#!/usr/bin/env python3
"""Puts the registry benchmark's rows beside this machine's floors.

    floors.py RESULTS.json [MORE.json ...] [--sha256-file FILE --reps N]

Reads bench.py's JSON (and large_image.py's), measures the one floor bench.py does not (SHA-256
of a page-cached file through OpenSSL, the implementation swift-crypto's BoringSSL matches), and
prints one Markdown table: each throughput row as a ratio to the other registry and as a fraction
of the floor that bounds it.

- blob downloads: loopback TCP with sendfile into a reader (`floor_tcp_recv`);
- uploads: a disk write that ends with fdatasync (`floor_write_sync`) — an upload is durable
  before the registry answers 201; the hashing floor is shown beside it.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

MB = 1e6


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs):
    xs = [x for x in xs if x is not None]
    if len(xs) < 2:
        return None
    m = statistics.median(xs)
    return (max(xs) - min(xs)) / m if m else None


def fmt(v):
    if v is None:
        return ""
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def openssl_sha256(path, reps):
    """MB/s of `openssl dgst -sha256` over a file already in the page cache."""
    size = os.path.getsize(path)
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
    rates = []
    for _ in range(reps):
        started = time.perf_counter()
        subprocess.run(["openssl", "dgst", "-sha256", path], stdout=subprocess.DEVNULL, check=True)
        rates.append(size / MB / (time.perf_counter() - started))
    return rates


def floor_for(key):
    if key.startswith("download_"):
        return "floor_tcp_recv"
    if key.startswith("upload_") or key.startswith("chunked_"):
        return "floor_write_sync"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+")
    parser.add_argument("--sha256-file", help="a large file to hash for the OpenSSL floor")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    rows, order, labels = {}, [], None
    for path in args.results:
        with open(path) as f:
            data = json.load(f)
        labels = labels or data["labels"]
        for key, row in data["rows"].items():
            rows[key] = row
            order.append(key)
    a, b = labels
    if args.sha256_file:
        rows["floor_openssl_sha256"] = {"name": "openssl dgst -sha256 (page cache)", "unit": "MB/s", "better": "higher",
                                        "samples": {"floor": openssl_sha256(args.sha256_file, args.reps)}}
        order.append("floor_openssl_sha256")

    floors = {k: median(r["samples"].get("floor", [])) for k, r in rows.items() if k.startswith("floor_")}
    print(f"| metric | unit | {a} | {b} | {a}/{b} | floor | {a}/floor | {b}/floor | spread {a} | spread {b} |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for key in order:
        row = rows[key]
        if key.startswith("floor_"):
            continue
        va, vb = median(row["samples"].get(a, [])), median(row["samples"].get(b, []))
        ratio = va / vb if va and vb else None
        floor_key = floor_for(key)
        floor = floors.get(floor_key) if floor_key else None
        fa = va / floor if floor and va and row["unit"] == "MB/s" else None
        fb = vb / floor if floor and vb and row["unit"] == "MB/s" else None
        sa, sb = spread(row["samples"].get(a, [])), spread(row["samples"].get(b, []))
        arrow = " ↑" if row["better"] == "higher" else " ↓"
        floor_text = f"{fmt(floor)} ({rows[floor_key]['name']})" if floor else ""
        print(f"| {row['name']} | {row['unit']}{arrow} | {fmt(va)} | {fmt(vb)} | {fmt(ratio)} | {floor_text} | "
              f"{fmt(fa)} | {fmt(fb)} | {'' if sa is None else f'{sa * 100:.0f}%'} | {'' if sb is None else f'{sb * 100:.0f}%'} |")
    print()
    print("| floor | MB/s | spread |")
    print("|---|---:|---:|")
    for key in order:
        if key.startswith("floor_"):
            s = rows[key]["samples"]["floor"]
            sp = spread(s)
            print(f"| {rows[key]['name']} | {fmt(median(s))} | {'' if sp is None else f'{sp * 100:.0f}%'} |")


if __name__ == "__main__":
    main()
