#!/usr/bin/env bash
# Runs one libFuzzer target for a while, with a corpus seeded from the test fixtures.
#
#   scripts/fuzz.sh TARGET [SECONDS]      TARGET: versions | manifest | analyzers | all   (default 60 s each)
#
# Targets live in Fuzz/ (docs/fuzzing.md). They are built into .build-fuzz/ with
# `-sanitize=fuzzer,address` and `-D FUZZING`; a plain `swift build` gives stubs. The corpus grows
# in .build-fuzz/corpus/TARGET; a crash or hang is written to Fuzz/crashes/TARGET/ and the script
# fails — turn it into a regression input in Fuzz/regressions/TARGET/ once fixed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: scripts/fuzz.sh versions|manifest|analyzers|all [SECONDS]}
seconds=${2:-60}
if [[ $target == all ]]; then
  for t in versions manifest analyzers; do "$0" "$t" "$seconds"; done
  exit 0
fi
case $target in
  versions) product=fuzz-versions ;;
  manifest) product=fuzz-manifest ;;
  analyzers) product=fuzz-analyzers ;;
  *) echo "unknown fuzz target '$target' (versions, manifest, analyzers, all)" >&2; exit 2 ;;
esac
scratch=$ROOT/.build-fuzz
(cd "$ROOT" && swift build --scratch-path "$scratch" --product "$product" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2)
binary=$(cd "$ROOT" && swift build --scratch-path "$scratch" --product "$product" --show-bin-path)/$product
corpus=$scratch/corpus/$target
crashes=$ROOT/Fuzz/crashes/$target
mkdir -p "$corpus" "$crashes"
python3 "$ROOT/Fuzz/seed_corpus.py" "$target" "$ROOT" "$corpus"
# Known inputs that once crashed (fixed since) are replayed first.
if [[ -d $ROOT/Fuzz/regressions/$target ]] && compgen -G "$ROOT/Fuzz/regressions/$target/*" >/dev/null; then
  "$binary" -runs=0 "$ROOT/Fuzz/regressions/$target"/* >&2
fi
echo "fuzzing $target for $seconds s (corpus $(ls "$corpus" | wc -l) inputs)" >&2
"$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tail -n 20 >&2
