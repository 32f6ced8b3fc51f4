"""Mixed traffic against a running `drydock serve` for a while, measured per minute.

    soak.py --url http://127.0.0.1:PORT --pid PID --data DIR --drydock BINARY [--minutes 10]

- pulls: wrk at 200 connections on a manifest by tag, one slice a minute (its own p50/p99 and
  errors), and a thread pulling a 1 MiB blob in a loop;
- pushes: a thread pushing a new small image (a real gzip tar with a vulnerable Python package,
  so the defender scans it) every second, deleting the manifest it pushed 30 pushes earlier,
  and listing tags;
- gc: `drydock gc --apply` every two minutes, beside the server;
- every 10 s: the server's RSS and open file descriptors, the data directory's size and the
  size of its SQLite write-ahead logs.

Prints a Markdown table per minute, the slopes per minute of RSS, descriptors and size, and a
JSON summary on the last line. Unexpected errors are any non-2xx answer or failure except a
404 for an image that gc or a delete already took.
"""
import argparse
import gzip
import hashlib
import http.client
import io
import json
import os
import re
import subprocess
import tarfile
import threading
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--pid", type=int, required=True)
parser.add_argument("--data", required=True)
parser.add_argument("--drydock", required=True)
parser.add_argument("--minutes", type=int, default=10)
parser.add_argument("--connections", type=int, default=200)
parser.add_argument("--only-pulls", action="store_true", help="no pushes, deletes or gc: the pull side alone")
args = parser.parse_args()
host = urllib.parse.urlparse(args.url).netloc
stop = threading.Event()
lock = threading.Lock()
counters = {"pushes": 0, "deletes": 0, "tagLists": 0, "blobPulls": 0, "gcRuns": 0, "errors": 0}
error_samples = []


def record_error(what):
    with lock:
        counters["errors"] += 1
        if len(error_samples) < 20:
            error_samples.append(what)


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(host, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data
    finally:
        connection.close()


def push_blob(repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, _, body = request("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data,
                              {"Content-Type": "application/octet-stream"})
    if status != 201:
        raise RuntimeError(f"blob push {status} {body[:200]!r}")
    return digest


def image(n):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in [("usr/local/lib/python3.11/site-packages/requests-2.2.0.dist-info/METADATA",
                            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.2.0\n"),
                           (f"app/build-{n}.txt", os.urandom(4096))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    layer = gzip.compress(raw, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode()
    return layer, config


def push_image(repo, tag, n):
    layer, config = image(n)
    layer_digest = push_blob(repo, layer)
    config_digest = push_blob(repo, config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                                       "size": len(layer)}]}).encode()
    status, headers, body = request("PUT", f"/v2/{repo}/manifests/{tag}", manifest,
                                    {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    if status != 201:
        raise RuntimeError(f"manifest push {status} {body[:200]!r}")
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


def pusher():
    pushed = []
    n = 0
    while not stop.is_set():
        n += 1
        repo = f"soak/app{n % 10}"
        try:
            pushed.append((repo, push_image(repo, f"v{n}", n)))
            with lock:
                counters["pushes"] += 1
            if len(pushed) > 30:
                old_repo, old_digest = pushed.pop(0)
                status, _, body = request("DELETE", f"/v2/{old_repo}/manifests/{old_digest}")
                if status not in (202, 404):
                    record_error(f"delete {status} {body[:100]!r}")
                with lock:
                    counters["deletes"] += 1
            status, _, _ = request("GET", f"/v2/{repo}/tags/list")
            if status != 200:
                record_error(f"tags list {status}")
            with lock:
                counters["tagLists"] += 1
        except Exception as error:  # noqa: BLE001 — every failure is counted, the soak goes on
            record_error(f"push: {error}")
        stop.wait(1)


def blob_puller(repo, digest):
    while not stop.is_set():
        try:
            status, _, body = request("GET", f"/v2/{repo}/blobs/{digest}")
            if status != 200 or len(body) != 1 << 20:
                record_error(f"blob pull {status} {len(body)}")
            with lock:
                counters["blobPulls"] += 1
        except Exception as error:  # noqa: BLE001
            record_error(f"blob pull: {error}")


def collector():
    while not stop.is_set():
        result = subprocess.run([args.drydock, "gc", "--data", args.data, "--apply"], capture_output=True, text=True)
        if result.returncode != 0:
            record_error(f"gc: {result.stderr.strip()[:200]}")
        with lock:
            counters["gcRuns"] += 1
        stop.wait(120)


samples = []


def sampler():
    while not stop.is_set():
        try:
            with open(f"/proc/{args.pid}/status") as f:
                rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
            fds = len(os.listdir(f"/proc/{args.pid}/fd"))
            size = int(subprocess.run(["du", "-sb", args.data], capture_output=True, text=True).stdout.split()[0])
            wal = {name: os.path.getsize(os.path.join(args.data, name + "-wal")) if os.path.exists(os.path.join(args.data, name + "-wal")) else 0
                   for name in ("metadata.sqlite", "defender.sqlite")}
            samples.append((time.monotonic(), rss, fds, size, wal))
        except Exception as error:  # noqa: BLE001
            record_error(f"sample: {error}")
        stop.wait(10)


def wrk_minute():
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.lua")
    result = subprocess.run(["wrk", "-t2", f"-c{args.connections}", "-d60s", "--latency", "-s", script,
                             f"{args.url}/v2/soak/base/manifests/latest"], capture_output=True, text=True)
    out = result.stdout

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = int(re.search(r"Non-2xx or 3xx responses: (\d+)", out).group(1)) if "Non-2xx" in out else 0
    return {"requests": requests, "p50": latency("50"), "p99": latency("99"), "errors": socket_errors + non2xx}


def slope(points):
    """Least-squares slope of (minutes, value)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / den if den else 0.0


def main():
    # A base image for the manifest pulls, and a 1 MiB blob for the blob pulls.
    push_image("soak/base", "latest", 0)
    blob = os.urandom(1 << 20)
    blob_digest = push_blob("soak/blobs", blob)
    threads = [threading.Thread(target=f, daemon=True) for f in ((sampler,) if args.only_pulls else (pusher, collector, sampler))]
    threads.append(threading.Thread(target=blob_puller, args=("soak/blobs", blob_digest), daemon=True))
    for t in threads:
        t.start()
    start = time.monotonic()
    minutes = []
    for minute in range(args.minutes):
        before = dict(counters)
        result = wrk_minute()
        with lock:
            after = dict(counters)
        last = samples[-1] if samples else (0, 0, 0, 0, {})
        minutes.append({"minute": minute + 1, **result, "otherErrors": after["errors"] - before["errors"],
                        "pushes": after["pushes"] - before["pushes"], "rssMB": last[1] / 1024, "fds": last[2],
                        "dataMB": last[3] / 1e6, "walMB": {k: v / 1e6 for k, v in last[4].items()}})
        print(json.dumps(minutes[-1]), flush=True)
    stop.set()
    for t in threads:
        t.join(timeout=150)
    print()
    print("| minute | manifest GETs (wrk, 200 conns) | p50 ms | p99 ms | wrk errors | other errors | pushes | RSS MB | open fds | data MB | WAL MB (metadata, defender) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for m in minutes:
        wal = m["walMB"]
        print(f"| {m['minute']} | {m['requests']} | {m['p50']:.2f} | {m['p99']:.2f} | {m['errors']} | {m['otherErrors']} | {m['pushes']} "
              f"| {m['rssMB']:.0f} | {m['fds']} | {m['dataMB']:.1f} | {wal.get('metadata.sqlite', 0):.1f}, {wal.get('defender.sqlite', 0):.1f} |")
    points = [((t - start) / 60, rss / 1024, fds, size / 1e6) for t, rss, fds, size, _ in samples]
    # Slopes over the second half: the first minutes fill caches and pools by design.
    half = [p for p in points if p[0] >= args.minutes / 2]
    summary = {
        "minutes": args.minutes, "counters": counters, "errorSamples": error_samples,
        "wrkErrors": sum(m["errors"] for m in minutes),
        "p99ByMinute": [m["p99"] for m in minutes],
        "rssSlopeMBPerMinute": slope([(p[0], p[1]) for p in half]),
        "fdSlopePerMinute": slope([(p[0], p[2]) for p in half]),
        "dataSlopeMBPerMinute": slope([(p[0], p[3]) for p in half]),
    }
    print()
    print(f"slopes over the second half, per minute: RSS {summary['rssSlopeMBPerMinute']:+.2f} MB, "
          f"open fds {summary['fdSlopePerMinute']:+.2f}, data {summary['dataSlopeMBPerMinute']:+.2f} MB")
    print(json.dumps(summary))


main()
