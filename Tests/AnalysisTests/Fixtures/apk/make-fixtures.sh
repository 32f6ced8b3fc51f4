#!/usr/bin/env bash
# Regenerates the apk fixtures. No apk-tools exist for Debian 12, so the database is the one the
# shared image build writes for its Alpine 3.18 look-alike (shared/images/mkapk.py: real apk
# "installed" format, names/versions/origins/licenses of alpine:3.18), and the expected values are
# read from it with awk, independently of the analyzer.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MKAPK=${MKAPK:-/work/shared/images/mkapk.py}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SOURCE_DATE_EPOCH=1700000000 python3 "$MKAPK" "$W/root" x86_64 >/dev/null
cp "$W/root/lib/apk/db/installed" "$HERE/installed"
# name, version, arch, origin, license for each block
awk -F: 'BEGIN{OFS="\t"} /^P:/{n=substr($0,3)} /^V:/{v=substr($0,3)} /^A:/{a=substr($0,3)} /^o:/{o=substr($0,3)} /^L:/{l=substr($0,3)}
  /^$/{ if (n!="") print n,v,a,o,l; n=v=a=o=l="" } END{ if (n!="") print n,v,a,o,l }' "$HERE/installed" >"$HERE/expected.tsv"
# path, owner for each R: line (F: is the directory of the R: lines after it)
awk 'BEGIN{OFS="\t"} /^P:/{n=substr($0,3); d=""} /^F:/{d=substr($0,3)} /^R:/{print "/" d (d==""?"":"/") substr($0,3), n}' \
  "$HERE/installed" | sort >"$HERE/expected-files.tsv"
wc -l "$HERE"/expected*.tsv
