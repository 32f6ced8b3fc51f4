#!/bin/sh
# Rebuild rust-binaries.zip: a tiny Rust program built offline with cargo, and copies of it with a
# `.dep-v0` section added by objcopy, as cargo-auditable embeds it (zlib-compressed JSON, see
# https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md). cargo-auditable
# itself cannot be installed here (crates.io is out of reach), so audit-data.json is written by
# hand in its documented format (cargo-auditable.schema.json in the same repository).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ELF="python3 $HERE/../elf-fixture.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -R "$HERE/src" "$WORK/src"
(cd "$WORK/src/tiny-app" && cargo build --offline --release -q)
BIN="$WORK/src/tiny-app/target/release/tiny-app"
mkdir "$WORK/out"
cp "$BIN" "$WORK/out/tiny-app-plain"
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read(), 9))' \
  "$HERE/audit-data.json" > "$WORK/dep-v0.zlib"
add() { objcopy --add-section ".dep-v0=$1" --set-section-flags .dep-v0=noload,readonly "$BIN" "$WORK/out/$2"; }
add "$WORK/dep-v0.zlib" tiny-app-auditable
# The documented shell parser must read back exactly the JSON that went in.
objcopy --dump-section .dep-v0=/dev/stdout "$WORK/out/tiny-app-auditable" \
  | python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))' \
  | cmp - "$HERE/audit-data.json"
# Broken audit data: not zlib at all; zlib that is cut short; zlib of something that is not JSON.
head -c 200 /dev/zero | tr '\0' 'x' > "$WORK/garbage"; add "$WORK/garbage" tiny-app-dep-garbage
head -c 40 "$WORK/dep-v0.zlib" > "$WORK/short"; add "$WORK/short" tiny-app-dep-truncated
printf 'packages: not json' | python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))' \
  > "$WORK/notjson"; add "$WORK/notjson" tiny-app-dep-notjson
mkdir "$WORK/sparse"
for f in "$WORK"/out/*; do
  $ELF sparsify "$f" "$WORK/sparse/$(basename "$f")" .dep-v0
  chmod 755 "$WORK/sparse/$(basename "$f")"
done
objcopy --dump-section .dep-v0=/dev/stdout "$WORK/sparse/tiny-app-auditable" \
  | python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))' \
  | cmp - "$HERE/audit-data.json"
rm -f "$HERE/rust-binaries.zip"
(cd "$WORK/sparse" && TZ=UTC touch -t 202311142213 ./* && zip -q -X -9 "$HERE/rust-binaries.zip" ./*)
ls -l "$HERE/rust-binaries.zip"
