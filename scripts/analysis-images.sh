#!/usr/bin/env bash
# Builds the real test images for the analysis tests once per machine (see
# scripts/test-images/README.md): .cache/analysis-images/{oci,docker-archive}/<image>.
# Needs root (debootstrap, chroot, rpm --root) and the Debian archive + PyPI.
#   scripts/analysis-images.sh            images without "large"
#   WITH_LARGE=1 scripts/analysis-images.sh   also the 1.4 GB "large" image (benchmarks)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DRYDOCK_ANALYSIS_IMAGES:-$ROOT/.cache/analysis-images}
mkdir -p "$OUT"
exec 9>"$OUT.lock"
flock 9
want=(debian-multi alpine-like rpm-sqlite rpm-bdb multi-arch)
[[ ${WITH_LARGE:-0} == 1 ]] && want+=(large)
missing=0
for image in "${want[@]}"; do [[ -e $OUT/docker-archive/$image.tar ]] || missing=1; done
if ((missing)); then
  # build.sh needs root (debootstrap, chroot, rpm --root); use sudo when not root.
  AS_ROOT=()
  [[ $(id -u) == 0 ]] || AS_ROOT=(sudo -n --preserve-env=SKIP_LARGE)
  SKIP_LARGE=$([[ ${WITH_LARGE:-0} == 1 ]] && echo 0 || echo 1) "${AS_ROOT[@]}" bash "$ROOT/scripts/test-images/build.sh" "$OUT" \
    >"$OUT.log" 2>&1 || { tail -40 "$OUT.log" >&2; exit 1; }
fi
echo "$OUT"
