#!/usr/bin/env bash
# ci/demo.sh: the main job. Installs what is missing, builds, and runs the release
# pipeline on the bundled example firmware; everything lands in out/demo/.
# Today's pipeline (it grows with each tool): build every firmware release, make a
# delta from every earlier release to each later one with `ota-delta --algo auto`,
# apply each to its source, check the result byte for byte and by sha256, and write
# out/demo/report.json plus a short summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

ci/deps.sh build demo
echo "== build" >&2
ci/build.sh release >/dev/null
delta=build/release/tools/ota-delta/ota-delta

out=out/demo
rm -rf "$out"
mkdir -p "$out/firmware" "$out/deltas" "$out/check"
echo "== firmware" >&2
examples/firmware/build.sh "$out/firmware" >/dev/null
mapfile -t versions <"$out/firmware/versions.txt"

fw() { echo "$out/firmware/firmware-$1.bin"; }
firmware_json=$(for v in "${versions[@]}"; do
  jq -n --arg v "$v" --argjson size "$(stat -c %s "$(fw "$v")")" \
    --arg sha "$(sha256sum "$(fw "$v")" | cut -d' ' -f1)" '{version: $v, size: $size, sha256: $sha}'
done | jq -s .)

echo "== deltas" >&2
records=()
for ((i = 0; i < ${#versions[@]}; i++)); do
  for ((j = i + 1; j < ${#versions[@]}; j++)); do
    from=${versions[i]} to=${versions[j]}
    patch=$out/deltas/$from-$to.patch
    made=$("$delta" create --algo auto --from "$(fw "$from")" --to "$(fw "$to")" --out "$patch" --json)
    applied=$("$delta" apply --from "$(fw "$from")" --patch "$patch" --out "$out/check/$to-from-$from.bin" --json)
    cmp -s "$out/check/$to-from-$from.bin" "$(fw "$to")" ||
      { echo "demo: error: applying $patch did not rebuild $to" >&2; exit 1; }
    [[ $(jq -r .verified <<<"$applied") == true ]] ||
      { echo "demo: error: $patch was not verified on apply" >&2; exit 1; }
    records+=("$(jq -n --arg from "$from" --arg to "$to" --arg patch "deltas/$from-$to.patch" \
      --argjson made "$made" --argjson applied "$applied" '{
        from: $from, to: $to, patch: $patch, algorithm: $made.algorithm,
        patch_size: $made.patch_size, target_size: $made.target_size,
        ratio: ($made.patch_size / $made.target_size),
        candidates: [$made.candidates[] | {algorithm, patch_size}],
        applied_and_verified: $applied.verified, target_sha256: $applied.output_sha256}')")
  done
done
rm -rf "$out/check"

printf '%s\n' "${records[@]}" | jq -s --argjson firmware "$firmware_json" \
  '{tool_version: "'"$("$delta" --version | cut -d' ' -f2)"'", firmware: $firmware, deltas: .}' \
  >"$out/report.json.tmp"
mv "$out/report.json.tmp" "$out/report.json"
/usr/bin/python3 tests/schemas/validate.py schemas/demo-report.schema.json "$out/report.json"

jq -r '"ota-toolchain demo: \(.firmware | length) firmware releases, \(.deltas | length) deltas, all applied and verified by sha256",
  "  from     to       algorithm   patch bytes   of full image   (bsdiff / zstd candidates)",
  (.deltas[] | "  \(.from)   \(.to)   \(.algorithm | . + " " * (10 - length))  \(.patch_size | tostring | " " * (11 - length) + .)   \(.ratio * 1000 | round / 10 | tostring + "%" | " " * (13 - length) + .)   (\([.candidates[].patch_size | tostring] | join(" / ")))"),
  "outputs: out/demo/report.json, out/demo/deltas/, out/demo/firmware/"' "$out/report.json"
