"""Abusive clients against a registry on 127.0.0.1:PORT, each on raw sockets.

    abusive_clients.py PORT IDLE_TIMEOUT BODY_TIMEOUT MAX_PER_ADDRESS

The server runs with those limits (seconds, seconds, connections per address). Abusers connect
from 127.0.0.2, so that the well-behaved client on 127.0.0.1 has its own per-address budget.
Prints one JSON object of measurements; the Swift test decides what passes.
"""
import json
import re
import socket
import statistics
import sys
import threading
import time

PORT = int(sys.argv[1])
IDLE = float(sys.argv[2])
BODY = float(sys.argv[3])
PER_ADDRESS = int(sys.argv[4])
results = {}


def connect(source="127.0.0.2", timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", PORT))
    return s


def closed_within(s, seconds, trickle=None):
    """Seconds until the server closes the connection (None if it stays open that long)."""
    start = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - start < seconds:
        if trickle:
            try:
                trickle(s)
            except OSError:
                return time.monotonic() - start
        try:
            data = s.recv(65536)
            if not data:
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def read_response(s):
    """Status line of one response, and whether the connection closed after it."""
    s.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def slowloris():
    s = connect()
    s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n")
    last = [time.monotonic()]

    def trickle(sock):
        if time.monotonic() - last[0] > 0.3:
            sock.sendall(b"X-Slow: y\r\n")
            last[0] = time.monotonic()

    results["slowlorisClosedAfter"] = closed_within(s, IDLE * 4, trickle)
    s.close()


def stalled_upload():
    s = connect()
    s.sendall(b"POST /v2/abuse/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    status = read_response(s)
    s.close()
    results["uploadStarted"] = status
    # An upload that promises a megabyte and sends a kilobyte.
    s = connect()
    s.sendall(b"POST /v2/abuse/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n"
              b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * 1024)
    results["stalledUploadClosedAfter"] = closed_within(s, BODY * 4)
    s.close()


def oversized():
    s = connect()
    s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (256 * 1024) + b"\r\n\r\n")
    try:
        results["oversizedHeader"] = read_response(s)
    except OSError as error:
        results["oversizedHeader"] = "closed: %s" % error
    results["oversizedHeaderClosed"] = closed_within(s, 5) is not None
    s.close()
    s = connect()
    s.sendall(b"GET /v2/" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        results["oversizedURL"] = read_response(s)
    except OSError as error:
        results["oversizedURL"] = "closed: %s" % error
    s.close()


def smuggling():
    s = connect()
    s.sendall(b"POST /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"0\r\n\r\nGET /v2/_catalog HTTP/1.1\r\nHost: x\r\n\r\n")
    # The server answers and closes; a loaded machine may take a while to do either.
    s.settimeout(15)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    results["smugglingResponses"] = data.count(b"HTTP/1.1 ")
    results["smugglingFirstStatus"] = data.split(b"\r\n", 1)[0].decode(errors="replace")
    s.close()


def pipelined():
    s = connect(source="127.0.0.1")
    s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n" * 3 + b"GET /v2/none/tags/list HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(5)
    data = b""
    deadline = time.monotonic() + 5
    while data.count(b"HTTP/1.1 ") < 4 and time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    # Bodies run straight into the next status line: find the status lines anywhere.
    results["pipelinedStatuses"] = [status.decode() for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]
    s.close()


def ordinary_latencies(count):
    """Milliseconds of `count` requests by an ordinary client on 127.0.0.1, sorted."""
    latencies = []
    for _ in range(count):
        start = time.monotonic()
        s = connect(source="127.0.0.1")
        s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status = read_response(s)
        latencies.append((time.monotonic() - start) * 1000)
        s.close()
        if not status.startswith("HTTP/1.1 200"):
            results["ordinaryFailure"] = status
    return sorted(latencies)


def idle_flood_and_latency():
    # The ordinary client's latency before the abusers arrive: the baseline of this machine now.
    results["baselineMedianMs"] = statistics.median(ordinary_latencies(50))
    idle = []
    refused = 0
    for _ in range(PER_ADDRESS + 200):
        try:
            idle.append(connect(timeout=2))
        except OSError:
            refused += 1
    time.sleep(0.5)
    # Connections past the per-address limit are closed by the server at once.
    closed_at_once = 0
    for s in idle:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed_at_once += 1
        except BlockingIOError:
            pass
        except OSError:
            closed_at_once += 1
    results["idleOpened"] = len(idle)
    results["idleClosedAtOnce"] = closed_at_once
    # Meanwhile an ordinary client from another address is served as usual.
    latencies = ordinary_latencies(100)
    results["ordinaryMedianMs"] = statistics.median(latencies)
    results["ordinaryP99Ms"] = latencies[98]
    # After the idle timeout, the server closes every idle connection (a loaded machine runs
    # its timers late: wait a while past the timeout, then count what is still open).
    deadline = time.monotonic() + IDLE + 20
    open_ones = list(idle)
    while open_ones and time.monotonic() < deadline:
        time.sleep(0.5)
        still = []
        for s in open_ones:
            try:
                if s.recv(1) != b"":
                    still.append(s)
            except BlockingIOError:
                still.append(s)
            except OSError:
                pass
        open_ones = still
    results["idleStillOpenAfterTimeout"] = len(open_ones)
    for s in idle:
        s.close()


def main():
    threads = [threading.Thread(target=f) for f in (slowloris, stalled_upload, oversized, smuggling, pipelined)]
    for t in threads:
        t.start()
    idle_flood_and_latency()
    for t in threads:
        t.join()
    print(json.dumps(results))


main()
