#!/usr/bin/env bash
# Dashboard benchmark: server time of the main pages on a registry of COUNT scanned images.
# Time to first byte and to the last byte of each page (curl over loopback, signed in), REPS
# times each, for: the overview, the first page of images, a repository's images, the image
# page of an image with COPIES × the sample image's findings (all states), and the vulnerability
# page of a vulnerability most images have.
#
#   benchmarks/dashboard/run.sh [--count 10000] [--copies 7] [--reps 20]
#
# Needs a release build (swift build -c release --product dashboard-bench) and the test images
# (scripts/analysis-images.sh). The database is .cache/bench-vulndb.sqlite (built from
# ../shared/vulndata when absent). The seeded store is kept in .cache/dashboard-bench-COUNT-COPIES
# (the first run seeds and matches every image: minutes).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=10000 COPIES=7 REPS=20
while (($#)); do
  case $1 in
    --count) COUNT=$2; shift 2 ;;
    --copies) COPIES=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/.build/release
[[ -x $BIN/dashboard-bench && -x $BIN/drydock ]] || { echo "build first: swift build -c release" >&2; exit 1; }
IMG=${DRYDOCK_ANALYSIS_IMAGES:-$ROOT/.cache/analysis-images}/oci
DB=$ROOT/.cache/bench-vulndb.sqlite
[[ -f $DB ]] || "$BIN/drydock" db build --source "$ROOT/../shared/vulndata" --out "$DB" >/dev/null 2>&1
DATA=$ROOT/.cache/dashboard-bench-$COUNT-$COPIES
WORK=$(mktemp -d /tmp/drydock-bench-dashboard.XXXXXX)
PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN/drydock" sbom "oci:$IMG/debian-multi" --format json >"$WORK/inventory.json" 2>/dev/null

"$BIN/dashboard-bench" "$DATA" "$DB" "$WORK/inventory.json" "$COUNT" "$COPIES" >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 6000); do
  PORT=$(sed -n 's/^listening //p' "$WORK/out" | head -1)
  [[ -n $PORT ]] && break
  kill -0 "$PID" 2>/dev/null || { echo "dashboard-bench stopped: $(cat "$WORK/err")" >&2; exit 1; }
  sleep 0.1
done
[[ -n $PORT ]] || { echo "dashboard-bench did not start" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT
curl -sf -c "$WORK/cookies" -o /dev/null -d "username=admin&password=bench-admin-password&next=/ui/" "$BASE/ui/login"

# A vulnerability most images have: the first of the big image's findings.
WIDE=$(curl -sf -b "$WORK/cookies" "$BASE/ui/image?repository=bench/app0&tag=v0" | grep -o 'data-id="[^"]*"' | head -1 | cut -d'"' -f2)
FINDINGS=$(curl -sf -b "$WORK/cookies" "$BASE/ui/image?repository=bench/big&tag=v1&state=all" | grep -o 'id="finding-count">[0-9]*' | grep -o '[0-9]*$')

# A write to the defender's store (re-enabling the plan that is on) empties its read caches:
# the "after a write" columns are what the first visitor after a scan waits.
CSRF=$(curl -sf -b "$WORK/cookies" "$BASE/ui/settings" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | cut -d'"' -f4)
invalidate() {
  curl -sf -b "$WORK/cookies" -o /dev/null -H "Origin: $BASE" -d "csrf=$CSRF&subscription=default&enabled=true" "$BASE/ui/settings/plan"
}

stats() {  # reads numbers (seconds), prints "median p90 min max" in ms
  sort -g | awk '{a[NR]=$1*1000} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int((NR*9+9)/10)]; printf "%.1f %.1f %.1f %.1f\n", m, p, a[1], a[NR]}'
}
measure() {  # LABEL PATH
  : >"$WORK/ttfb"; : >"$WORK/total"; : >"$WORK/cold"
  for _ in $(seq 5); do
    invalidate
    curl -sf -b "$WORK/cookies" -o /dev/null -w '%{time_total}\n' "$BASE$2" >>"$WORK/cold"
  done
  for _ in $(seq "$REPS"); do
    curl -sf -b "$WORK/cookies" -o "$WORK/page" -w '%{time_starttransfer} %{time_total}\n' "$BASE$2" >"$WORK/one"
    cut -d' ' -f1 "$WORK/one" >>"$WORK/ttfb"; cut -d' ' -f2 "$WORK/one" >>"$WORK/total"
  done
  read -r tm tp tmin tmax < <(stats <"$WORK/ttfb")
  read -r fm fp fmin fmax < <(stats <"$WORK/total")
  read -r cm cp cmin cmax < <(stats <"$WORK/cold")
  echo "| $1 | $tm ms | $tp ms | $tmin–$tmax ms | $fm ms | $fmin–$fmax ms | $cm ms ($cmin–$cmax) | $(($(wc -c <"$WORK/page") / 1024)) KiB |"
}
echo "Registry: $COUNT scanned images (+1 with $FINDINGS findings); $(nproc) cores; $REPS requests per page"
echo
echo "| page | first byte, median | p90 | min–max | full page, median | min–max | full page after a write, median (min–max of 5) | size |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
measure "overview" "/ui/"
measure "images, first page of $COUNT" "/ui/images"
measure "images, unhealthy, page 20" "/ui/images?health=unhealthy&page=20"
measure "image with $FINDINGS findings (all states, page 1)" "/ui/image?repository=bench/big&tag=v1&state=all"
measure "vulnerability $WIDE (every image)" "/ui/vulnerability?id=$WIDE"
