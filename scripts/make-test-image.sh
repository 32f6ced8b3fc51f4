#!/usr/bin/env bash
# Builds a small multi-layer OCI image layout from real Debian packages, for the registry's
# real-client tests: OUT_DIR/debian-layers (ref "latest"), one layer per group of packages.
#
#   scripts/make-test-image.sh OUT_DIR
#
# Needs apt-get (package lists present: run apt-get update first), dpkg-deb and umoci.
# Reuses OUT_DIR/debian-layers if it is already complete.
set -euo pipefail
OUT=${1:?usage: make-test-image.sh OUT_DIR}
LAYOUT=$OUT/debian-layers
[[ -f $OUT/.complete ]] && exit 0
# Test processes may ask for the image at the same time: one builds, the others wait for it.
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9
[[ -f $OUT/.complete ]] && exit 0
rm -rf "$OUT" && mkdir -p "$OUT/debs"
# Three layers of architecture-independent Debian packages: the same bytes on every machine
# that sees the same archive state.
LAYERS=("base-files netbase" "tzdata" "ca-certificates media-types")
cd "$OUT/debs"
for group in "${LAYERS[@]}"; do
  # shellcheck disable=SC2086
  apt-get download -q $group >/dev/null
done
cd - >/dev/null
umoci init --layout "$LAYOUT"
umoci new --image "$LAYOUT:latest"
i=0
for group in "${LAYERS[@]}"; do
  i=$((i + 1))
  bundle=$OUT/bundle-$i
  umoci unpack --rootless --image "$LAYOUT:latest" "$bundle" >/dev/null
  for pkg in $group; do
    dpkg-deb -x "$OUT"/debs/"${pkg}"_*.deb "$bundle/rootfs"
  done
  umoci repack --image "$LAYOUT:latest" --history.created_by "dpkg-deb -x $group" "$bundle" >/dev/null
  rm -rf "$bundle"
done
umoci config --image "$LAYOUT:latest" --os linux --architecture amd64 >/dev/null
umoci gc --layout "$LAYOUT"
touch "$OUT/.complete"
