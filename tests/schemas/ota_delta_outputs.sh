#!/usr/bin/env bash
# Every --json document ota-delta prints (create, apply, info for every format, an
# error) and the demo's report validate against their schemas in schemas/.
set -euo pipefail
OTA_DELTA=$1
MAKE_PAIR=$2
schemas=$(cd "$(dirname "$0")/../../schemas" && pwd)
validate="/usr/bin/python3 $(dirname "$0")/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$MAKE_PAIR" structured 200000 3 old new
"$OTA_DELTA" create --from old --to new --out auto.patch --json >create-auto.json
for algo in bsdiff zstd vcdiff ota; do
  "$OTA_DELTA" create --algo "$algo" --from old --to new --out "$algo.patch" --json >"create-$algo.json"
  "$OTA_DELTA" apply --from old --patch "$algo.patch" --out "$algo.out" --json >"apply-$algo.json"
  "$OTA_DELTA" info "$algo.patch" --json >"info-$algo.json"
done
"$OTA_DELTA" create --algo bsdiff --no-trailer --from old --to new --out plain.patch >/dev/null 2>&1
"$OTA_DELTA" info plain.patch --json >info-plain.json
"$OTA_DELTA" apply --from absent --patch x --out y --json >error.json 2>/dev/null && exit 1
"$MAKE_PAIR" random 200000 5 unrelated unused
"$OTA_DELTA" release --to new --from 1.0=old --from 0.1=unrelated --out-dir rel --fast --json >release.json
jq .index release.json >release-index.json

$validate "$schemas/ota-delta-create.schema.json" create-*.json
$validate "$schemas/ota-delta-apply.schema.json" apply-*.json
$validate "$schemas/ota-delta-info.schema.json" info-*.json
$validate "$schemas/error.schema.json" error.json
$validate "$schemas/ota-delta-release.schema.json" release.json
$validate "$schemas/ota-delta-release-index.schema.json" rel/index.json release-index.json
jq -e '[.sources[].delivery] == ["delta", "full"]' rel/index.json >/dev/null
zeros=0000000000000000000000000000000000000000000000000000000000000000
jq --arg z $zeros '.sources[1].patch = {"file": "x", "size": 1, "sha256": $z}' rel/index.json >broken-index1.json
jq '.full_image.extra = 1' rel/index.json >broken-index2.json
for broken in broken-index1.json broken-index2.json; do
  if $validate "$schemas/ota-delta-release-index.schema.json" $broken 2>/dev/null; then
    echo "FAIL: $broken passed validation" >&2
    exit 1
  fi
done
# A document that breaks the schema must fail, or the check proves nothing.
jq '.algorithm = "lzma"' create-zstd.json >broken.json
if $validate "$schemas/ota-delta-create.schema.json" broken.json 2>/dev/null; then
  echo "FAIL: a broken document passed validation" >&2
  exit 1
fi
echo "19 passed, 0 failed"
