#!/bin/sh
# Build Drydock's Go fixture binaries offline (no network: modules come from a file:// proxy that
# make-proxy.py lays out from src/modules) and print `go version -m` for each.
#
#   build.sh OUT_DIR            full binaries in OUT_DIR
#   build.sh --quick OUT_DIR    only the two amd64 binaries (the live test, when `go` exists)
#   build.sh --fixtures         rebuild the committed go-binaries.zip next to this script
#
# Variants: amd64 as built (Go >= 1.18 inline-string blob, section headers present); amd64 with
# -trimpath -ldflags='-s -w' and the section header table dropped (blob found by scanning the
# writable PT_LOAD); 386 / arm64 / ppc64 / mips rewritten into the pre-1.18 pointer layout (4- and
# 8-byte pointers, little- and big-endian; mips also without section headers); s390x as built
# (big-endian inline); and a GOPATH-mode build with no module line at all.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ELF="python3 $HERE/../elf-fixture.py"
FIXTURES= QUICK=
case "${1:-}" in
  --fixtures) FIXTURES=1; OUT=$(mktemp -d) ;;
  --quick) QUICK=1; OUT=$2 ;;
  *) OUT=$1 ;;
esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [ -n "$FIXTURES" ] && rm -rf "$OUT"; true' EXIT

python3 "$HERE/make-proxy.py" "$HERE/src/modules" "$WORK/proxy"
cp -R "$HERE/src/hello" "$HERE/src/greet" "$WORK/"
export GOPROXY="file://$WORK/proxy" GOSUMDB=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOPATH="$WORK/gopath" GO111MODULE=on

nmaddr() { go tool nm "$1" | awk -v s="$2" '$3 == s { print $1 }'; }
pointerize() { $ELF pointerize "$1" "$(nmaddr "$1" runtime.buildVersion)" "$(nmaddr "$1" runtime.modinfo)"; }

cd "$WORK/hello"
GOARCH=amd64 go build -o "$OUT/hello-amd64" .
GOARCH=amd64 go build -trimpath -ldflags='-s -w' -o "$OUT/hello-amd64-stripped" .
$ELF drop-section-headers "$OUT/hello-amd64-stripped"
if [ -n "$QUICK" ]; then exit 0; fi
for a in 386 arm64 ppc64; do
  GOARCH=$a go build -o "$OUT/hello-$a-pointer" .
  pointerize "$OUT/hello-$a-pointer"
done
GOARCH=mips go build -o "$OUT/hello-mips-pointer-nosections" .
pointerize "$OUT/hello-mips-pointer-nosections"
$ELF drop-section-headers "$OUT/hello-mips-pointer-nosections"
GOARCH=s390x go build -o "$OUT/hello-s390x" .

mkdir -p "$WORK/gopath/src/nomod"
printf 'package main\n\nfunc main() { println("no module") }\n' > "$WORK/gopath/src/nomod/main.go"
(cd "$WORK/gopath/src/nomod" && GO111MODULE=off GOARCH=amd64 go build -o "$OUT/nomod-amd64" .)

if [ -n "$FIXTURES" ]; then
  mkdir -p "$WORK/sparse"
  for f in "$OUT"/*; do
    n=$(basename "$f")
    $ELF sparsify "$f" "$WORK/sparse/$n"
    chmod 755 "$WORK/sparse/$n"
    # The sparse copy must read exactly as the original does.
    [ "$(go version -m "$f" | sed 1d)" = "$(go version -m "$WORK/sparse/$n" | sed 1d)" ]
    go version -m "$WORK/sparse/$n" | sed 1d > "$WORK/sparse/$n.go-version-m.txt"
    go version "$WORK/sparse/$n" | sed 's/^[^:]*: //' >> "$WORK/sparse/$n.go-version-m.txt"
  done
  rm -f "$HERE/go-binaries.zip"
  (cd "$WORK/sparse" && TZ=UTC touch -t 202311142213 ./* && zip -q -X -9 "$HERE/go-binaries.zip" ./*)
  ls -l "$HERE/go-binaries.zip"
else
  for f in "$OUT"/*; do go version -m "$f"; done
fi
