#!/usr/bin/env bash
# Drydock against CNCF Distribution (Debian's docker-registry), side by side in one run on this
# machine, with the machine's floor (sha256, page cache, loopback). Results: BENCHMARKS.md.
#
#   benchmarks/registry/run.sh [bench.py options]      e.g. --reps 3, or --sections upload,floor
#
# Then, unless LARGE_IMAGE=none: skopeo push and pull of the `large` test image (1.35 GB
# unpacked, 6 layers; WITH_LARGE=1 scripts/analysis-images.sh builds it) to both registries,
# LARGE_IMAGE_REPS times (default 3). Last, floors.py prints every row as a ratio to
# Distribution and as a fraction of the floor that bounds it (with OpenSSL's SHA-256 measured).
#
# Needs: docker-registry wrk apache2-utils skopeo curl (Debian), and the shared harness
# (bench.py and start_docker_registry.sh) from the workplace's shared/bench, found at
# $DRYDOCK_BENCH_HARNESS or ../shared/bench next to this repository.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HARNESS=${DRYDOCK_BENCH_HARNESS:-$ROOT/../shared/bench}
[[ -f $HARNESS/bench.py ]] || { echo "bench harness not found at $HARNESS (set DRYDOCK_BENCH_HARNESS)" >&2; exit 1; }
for tool in docker-registry wrk ab skopeo curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y docker-registry wrk apache2-utils skopeo curl" >&2; exit 1; }
done

(cd "$ROOT" && swift build -c release --product drydock >&2)
WORK=$(mktemp -d /tmp/drydock-bench.XXXXXX)
DRYDOCK_PORT=${DRYDOCK_PORT:-5201}
DIST_PORT=${DIST_PORT:-5202}
# --auth disabled: this run compares the bare API with Distribution (also without auth);
# benchmarks/registry/auth.sh measures what access control costs.
DRYDOCK_LOG_LEVEL=warning "$ROOT/.build/release/drydock" serve --defender disabled --auth disabled --listen "127.0.0.1:$DRYDOCK_PORT" --data "$WORK/drydock" &
DRYDOCK_PID=$!
DIST_PID=$("$HARNESS/start_docker_registry.sh" "$DIST_PORT" "$WORK/distribution")
cleanup() { kill "$DRYDOCK_PID" "$DIST_PID" 2>/dev/null || true; wait "$DRYDOCK_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$DRYDOCK_PORT/v2/" >/dev/null && break; sleep 0.1; done

python3 "$HARNESS/bench.py" \
  --a "http://127.0.0.1:$DRYDOCK_PORT" --label-a drydock \
  --b "http://127.0.0.1:$DIST_PORT" --label-b distribution \
  --workdir "$WORK" --json "$WORK/bench.json" "$@"
results=("$WORK/bench.json")

LARGE_IMAGE=${LARGE_IMAGE:-$ROOT/.cache/analysis-images/oci/large}
if [[ $LARGE_IMAGE != none ]]; then
  [[ -f $LARGE_IMAGE/index.json ]] || { echo "no large image at $LARGE_IMAGE: run WITH_LARGE=1 scripts/analysis-images.sh, or LARGE_IMAGE=none" >&2; exit 1; }
  python3 "$ROOT/benchmarks/registry/large_image.py" \
    --a "http://127.0.0.1:$DRYDOCK_PORT" --label-a drydock \
    --b "http://127.0.0.1:$DIST_PORT" --label-b distribution \
    --layout "$LARGE_IMAGE" --reps "${LARGE_IMAGE_REPS:-3}" --json "$WORK/large.json" >&2
  results+=("$WORK/large.json")
fi

# A 512 MiB file for the OpenSSL hashing floor.
head -c $((512 << 20)) /dev/urandom > "$WORK/sha256-floor.bin"
echo
echo "## every row against Distribution and against this machine's floor"
echo
python3 "$ROOT/benchmarks/registry/floors.py" "${results[@]}" --sha256-file "$WORK/sha256-floor.bin" --reps 3
