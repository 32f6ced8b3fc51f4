#!/usr/bin/env bash
# Vulnerability database: build time, peak memory and file size for a whole advisory tree,
# and lookups per second for 10,000 random (namespace, package) keys. Results: BENCHMARKS.md.
#
#   benchmarks/vulndb/run.sh [VULNDATA_DIR]     (default ../shared/vulndata next to the repo)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${1:-$ROOT/../shared/vulndata}
REPS=${REPS:-3}
(cd "$ROOT" && swift build -c release --product drydock >&2 && swift build -c release --product vulndb-bench >&2)
WORK=$(mktemp -d /tmp/drydock-vulndb-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "## build (median of $REPS)"
for i in $(seq "$REPS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time.$i" "$ROOT/.build/release/drydock" db build --source "$DATA" --out "$WORK/vulndb.sqlite" >/dev/null 2>&1
  cat "$WORK/time.$i"
done | sort -n | awk -v n="$REPS" '{ t[NR]=$1; m[NR]=$2 } END { printf "build wall time: %.2f s (min %.2f, max %.2f)\npeak RSS: %.0f MB\n", t[int((n+1)/2)], t[1], t[n], m[int((n+1)/2)]/1024 }'
SIZE=$(stat -c %s "$WORK/vulndb.sqlite")
GZ=$(gzip -c "$WORK/vulndb.sqlite" | wc -c)
echo "file size: $((SIZE / 1000000)) MB; as published (gzip layer): $((GZ / 1000000)) MB"
"$ROOT/.build/release/drydock" db info "$WORK/vulndb.sqlite" | sed -n '5p'
echo "## lookups"
"$ROOT/.build/release/vulndb-bench" "$WORK/vulndb.sqlite" 10000
