#!/usr/bin/env bash
# ota-fetch's --json documents (init, refresh, download, a failure) validate against
# schemas/ota-fetch.schema.json and schemas/error.schema.json.
set -euo pipefail
schemas=$(cd "$(dirname "$0")/../../schemas" && pwd)
validate="/usr/bin/python3 $(dirname "$0")/validate.py"
cli=$(cd "$(dirname "$0")/../cli" && pwd)
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
cd "$work"
. "$cli/fetch_setup.sh"
trap 'kill ${SERVER_PID:-} 2>/dev/null; rm -rf "$work"' EXIT
make_repo
serve repo
trap 'kill ${SERVER_PID:-} 2>/dev/null; rm -rf "$work"' EXIT
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json --json > init.json
fetch refresh --json > refresh.json
download --target-name ecu/fw.bin --json > download.json
download --target-name ecu/fw.bin --json > again.json
! download --target-name ecu/none.bin --json > error.json
$validate "$schemas/ota-fetch.schema.json" init.json refresh.json download.json again.json
$validate "$schemas/error.schema.json" error.json
jq -e '.error.step == "download" and .error.code == "not_found"' error.json >/dev/null
echo "ota-fetch outputs validate"
