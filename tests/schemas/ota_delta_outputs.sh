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

$validate "$schemas/ota-delta-create.schema.json" create-*.json
$validate "$schemas/ota-delta-apply.schema.json" apply-*.json
$validate "$schemas/ota-delta-info.schema.json" info-*.json
$validate "$schemas/error.schema.json" error.json
# A document that breaks the schema must fail, or the check proves nothing.
jq '.algorithm = "lzma"' create-zstd.json >broken.json
if $validate "$schemas/ota-delta-create.schema.json" broken.json 2>/dev/null; then
  echo "FAIL: a broken document passed validation" >&2
  exit 1
fi
echo "14 passed, 0 failed"
