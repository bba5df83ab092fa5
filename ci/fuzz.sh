#!/usr/bin/env bash
# ci/fuzz.sh [SECONDS]: runs every libFuzzer target for SECONDS (default 30) each,
# seeded with the golden patches. A crash, leak or sanitizer report fails the run;
# the crashing input is kept in out/fuzz/ to be turned into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
data=tests/data/delta
out=out/fuzz
mkdir -p "$out"

# Seeds in the targets' layout: [old length, 2 bytes LE][old][patch].
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
old_len=$(stat -c %s "$data/old.bin")
len_le=$(printf '\\x%02x\\x%02x' $((old_len & 255)) $((old_len >> 8)))
for patch in "$data"/*.patch "$data"/bad/*.bsdiff "$data"/bad/*.zst; do
  { printf "$len_le"; cat "$data/old.bin" "$patch"; } >"$seeds/$(basename "$patch")"
done

# The VCDIFF decoder starts from xdelta3's patches, each with its own source.
vdata=tests/data/delta/vcdiff
vold_len=$(stat -c %s "$vdata/old.bin")
vlen_le=$(printf '\\x%02x\\x%02x' $((vold_len & 255)) $((vold_len >> 8)))
for patch in "$vdata"/*.vcdiff; do
  { printf "$vlen_le"; cat "$vdata/old.bin" "$patch"; } >"$seeds/$(basename "$patch")"
done

# The key parsers start from example keys (fuzz/seeds/key_parse/, non-secret).
cp fuzz/seeds/key_parse/* "$seeds/"
# The image parsers start from the golden slot images (tests/data/image/).
cp tests/data/image/*.slot "$seeds/"
# The metadata parsers start from a published repository's files (fuzz/seeds/metadata_parse/).
cp fuzz/seeds/metadata_parse/* "$seeds/"
# The release parsers start from a release file, a fleet and outcomes (fuzz/seeds/release_parse/;
# the first byte picks the parser).
cp fuzz/seeds/release_parse/* "$seeds/"

status=0
for target in bsdiff_apply zstd_apply patch_apply vcdiff_apply ota_apply key_parse image_parse metadata_parse release_parse; do
  corpus=$out/corpus-$target
  mkdir -p "$corpus"
  echo "fuzzing $target for ${seconds}s" >&2
  if ! build/fuzz/fuzz/fuzz_$target -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=2048 \
      -timeout=10 -artifact_prefix="$out/$target-" -print_final_stats=1 "$corpus" "$seeds" \
      >"$out/$target.log" 2>&1; then
    echo "FAIL: fuzz_$target found a problem; see $out/$target.log and $out/$target-*" >&2
    tail -30 "$out/$target.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units" "$out/$target.log" | sed "s/^/$target: /" >&2 || true
  fi
done
exit $status
