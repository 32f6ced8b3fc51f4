#!/usr/bin/env bash
# A soak: `drydock serve` (release build, defender on with a real database) under 10 minutes of
# mixed traffic — manifest pulls at 200 connections (wrk), blob pulls, pushes that the defender
# scans, deletes, tag listing, `drydock gc --apply` beside it — with errors, p99 per minute and
# the slopes of RSS, open file descriptors and data size (benchmarks/soak/soak.py). Not run in CI.
#
#   benchmarks/soak/run.sh [--minutes N]
#
# Needs: wrk (Debian), python3; a vulnerability database at $SOAK_VULN_DB (default: the
# benchmark database .cache/bench-vulndb.sqlite, made by benchmarks/defender; without one the
# defender inventories but does not match).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v wrk >/dev/null || { echo "missing wrk: apt-get install -y wrk" >&2; exit 1; }
(cd "$ROOT" && swift build -c release --product drydock >&2)
WORK=$(mktemp -d /tmp/drydock-soak.XXXXXX)
PORT=${SOAK_PORT:-5401}
DB=${SOAK_VULN_DB:-$ROOT/.cache/bench-vulndb.sqlite}
mkdir -p "$WORK/data"
[[ -f $DB ]] && cp "$DB" "$WORK/data/vuln.db"
# Access control off: the soak measures the registry and the defender, not token exchanges
# (benchmarks/registry/auth.sh does); the per-address limit is raised for wrk's 200 connections.
DRYDOCK_LOG_LEVEL=warning "$ROOT/.build/release/drydock" serve --auth disabled --listen "127.0.0.1:$PORT" \
  --data "$WORK/data" --max-connections-per-address 4096 > "$WORK/server.log" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
python3 "$ROOT/benchmarks/soak/soak.py" --url "http://127.0.0.1:$PORT" --pid "$PID" --data "$WORK/data" \
  --drydock "$ROOT/.build/release/drydock" "$@"
echo "server log warnings/errors: $(grep -ciE 'warning|error' "$WORK/server.log" || true)" >&2
grep -iE 'warning|error' "$WORK/server.log" | head -5 >&2 || true
