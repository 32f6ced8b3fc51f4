#!/usr/bin/env bash
# What access control costs: the same manifest-GET and blob-GET rows against two Drydock servers
# from one release build — A without access control (anonymous), B with it on, every request
# carrying a bearer token from B's token endpoint, resource logs on (the default).
#
#   benchmarks/registry/auth.sh [--reps N] [--duration SECONDS]
#
# Needs: wrk, curl, python3. Prints a Markdown table (median of the reps) for BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=3
DURATION=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
[[ -n ${DRYDOCK_BINARY:-} ]] || (cd "$ROOT" && swift build -c release --product drydock >&2)
BIN=${DRYDOCK_BINARY:-$ROOT/.build/release/drydock}
WORK=$(mktemp -d /tmp/drydock-authbench.XXXXXX)
A_PORT=${A_PORT:-5211}
B_PORT=${B_PORT:-5212}
PASSWORD=bench-admin-password
DRYDOCK_LOG_LEVEL=warning "$BIN" serve --defender disabled --auth disabled --listen "127.0.0.1:$A_PORT" --data "$WORK/a" >/dev/null 2>&1 &
A_PID=$!
DRYDOCK_LOG_LEVEL=warning DRYDOCK_ADMIN_PASSWORD=$PASSWORD "$BIN" serve --defender disabled --listen "127.0.0.1:$B_PORT" --data "$WORK/b" >/dev/null 2>&1 &
B_PID=$!
cleanup() { kill "$A_PID" "$B_PID" 2>/dev/null || true; wait "$A_PID" "$B_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for port in $A_PORT $B_PORT; do
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    [[ $code == 200 || $code == 401 ]] && break
    sleep 0.1
  done
done

# One image per server: a 1 MiB layer, a config, a manifest tagged v1.
head -c 1048576 /dev/urandom > "$WORK/layer"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > "$WORK/config"
LAYER=sha256:$(sha256sum "$WORK/layer" | cut -d' ' -f1)
CONFIG=sha256:$(sha256sum "$WORK/config" | cut -d' ' -f1)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}' \
  "$CONFIG" "$(stat -c %s "$WORK/config")" "$LAYER" 1048576 > "$WORK/manifest"
push() { # port, extra curl args…
  local port=$1; shift
  for f in config layer; do
    d=sha256:$(sha256sum "$WORK/$f" | cut -d' ' -f1)
    curl -sf "$@" -X POST --data-binary "@$WORK/$f" -H 'Content-Type: application/octet-stream' \
      "http://127.0.0.1:$port/v2/bench/app/blobs/uploads/?digest=$d" >/dev/null
  done
  curl -sf "$@" -X PUT --data-binary "@$WORK/manifest" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    "http://127.0.0.1:$port/v2/bench/app/manifests/v1" >/dev/null
}
push "$A_PORT"
push "$B_PORT" -u "admin:$PASSWORD"
# A pull token, exchanged for a bearer token (lives 5 minutes; each rep fetches a fresh one).
TOKEN_PASSWORD=$(curl -sf -u "admin:$PASSWORD" -H 'Content-Type: application/json' \
  -d '{"name":"bench","scopes":[{"repository":"bench/*","actions":["pull"]}]}' \
  "http://127.0.0.1:$B_PORT/admin/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
bearer() {
  curl -sf -u "bench:$TOKEN_PASSWORD" "http://127.0.0.1:$B_PORT/token?service=drydock&scope=repository:bench/app:pull" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# The server's CPU time so far (user + system, in clock ticks) from /proc.
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# One wrk run against a server: prints "requests/s server-CPU-µs-per-request". The CPU figure is
# steadier than throughput on a shared 2-core machine, where wrk competes with the server.
rate() { # pid url conc [wrk args…]
  local pid=$1 url=$2 conc=$3; shift 3
  local before after out
  before=$(ticks "$pid")
  out=$(wrk -t "$(( conc < 2 ? 1 : 2 ))" -c "$conc" -d "${DURATION}s" "$@" "$url")
  after=$(ticks "$pid")
  awk -v cpu=$(( (after - before) * TICK_US )) '/Requests\/sec/ {rps = $2} / requests in / {n = $1} END {printf "%s %.1f\n", rps, cpu / n}' <<<"$out"
}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
# Two ratios: of the medians, and the median of each rep's own ratio (A and B measured back to
# back), which is less at the mercy of the machine's slow spells.
echo "| row | anonymous (auth off) req/s | bearer token, logs on req/s | bearer/anonymous | per-rep bearer/anonymous (median) | server CPU µs/request, anonymous | server CPU µs/request, bearer | CPU bearer/anonymous |"
echo "|---|---|---|---|---|---|---|---|"
for row in "manifest GET by tag c=1|/v2/bench/app/manifests/v1|1" "manifest GET by tag c=32|/v2/bench/app/manifests/v1|32" \
           "blob GET 1 MiB c=1|/v2/bench/app/blobs/$LAYER|1" "blob GET 1 MiB c=32|/v2/bench/app/blobs/$LAYER|32"; do
  IFS='|' read -r name path conc <<<"$row"
  a=(); b=(); ca=(); cb=()
  for rep in $(seq "$REPS"); do
    # A then B on odd reps, B then A on even ones: on a machine whose speed drifts, always
    # measuring the same server second would bias every pair the same way.
    token=$(bearer)
    for side in $( (( rep % 2 )) && echo "a b" || echo "b a"); do
      if [[ $side == a ]]; then
        read -r r c <<<"$(rate "$A_PID" "http://127.0.0.1:$A_PORT$path" "$conc" -H "$ACCEPT")"; a+=("$r"); ca+=("$c")
      else
        read -r r c <<<"$(rate "$B_PID" "http://127.0.0.1:$B_PORT$path" "$conc" -H "$ACCEPT" -H "Authorization: Bearer $token")"
        b+=("$r"); cb+=("$c")
      fi
    done
  done
  ma=$(median "${a[@]}"); mb=$(median "${b[@]}"); mca=$(median "${ca[@]}"); mcb=$(median "${cb[@]}")
  perrep=$(python3 -c 'import statistics,sys; n=len(sys.argv)//2; a=sys.argv[1:n+1]; b=sys.argv[n+1:]; print(statistics.median(float(y)/float(x) for x,y in zip(a,b)))' "${a[@]}" "${b[@]}")
  printf '| %s | %.0f | %.0f | %.2f | %.2f | %.0f | %.0f | %.2f |\n' "$name" "$ma" "$mb" "$(python3 -c "print($mb/$ma)")" "$perrep" \
    "$mca" "$mcb" "$(python3 -c "print($mcb/$mca)")"
done
# The log rows really were written (B flushes every second).
sleep 2
ROWS=$(curl -sf -u "admin:$PASSWORD" "http://127.0.0.1:$B_PORT/admin/logs?table=RegistryRepositoryEvents&operation=Pull&limit=100000" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
echo
echo "RegistryRepositoryEvents Pull rows written during the run on B: $ROWS"
