#!/usr/bin/env bash
# The --json documents of ota-manifest and the custom object of a published target
# validate against their schemas; the example repo.yaml validates against its own.
set -euo pipefail
schemas=$(cd "$(dirname "$0")/../../schemas" && pwd)
validate="/usr/bin/python3 $(dirname "$0")/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir keys
for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ed25519 --key "file:keys/$k.pem" 2>/dev/null; done
cat > repo.yaml <<YAML
roles:
  root: {keys: [file:keys/root.pem], threshold: 1, expires_days: 365}
  targets: {keys: [file:keys/targets.pem], threshold: 1}
  snapshot: {keys: [file:keys/snapshot.pem]}
  timestamp: {keys: [file:keys/timestamp.pem], expires_days: 1}
YAML
head -c 300000 /dev/urandom > v1.bin; cp v1.bin v2.bin; printf 'new' >> v2.bin
"$OTA_DELTA" create --from v1.bin --to v2.bin --out v1-v2.patch >/dev/null 2>&1
"$OTA_MANIFEST" init --config repo.yaml --repo repo --json > init.json
"$OTA_MANIFEST" add --repo repo --file v2.bin --name ecu/v2.bin --version 2 --hardware-id hw --delta 1=v1-v2.patch \
  --priority security --chunk-size 65536 --json > add.json
"$OTA_MANIFEST" publish --repo repo --json > publish.json
"$OTA_MANIFEST" timestamp --repo repo --json > timestamp.json
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu/v2.bin --json > verify.json
jq .target.custom verify.json > custom.json
/usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open("repo.yaml")), open("repo-config.json","w"))'
"$OTA_MANIFEST" verify --repo repo --trusted-root keys/root.pem --json > error.json 2>/dev/null && exit 1

$validate "$schemas/ota-manifest-publish.schema.json" init.json publish.json timestamp.json
$validate "$schemas/ota-manifest-verify.schema.json" verify.json
$validate "$schemas/target-custom.schema.json" custom.json
$validate "$schemas/repo-config.schema.json" repo-config.json
$validate "$schemas/error.schema.json" error.json
jq '.deltas["1"].algorithm == "bsdiff" or .deltas["1"].algorithm == "zstd"' custom.json | grep -q true
jq '.priority = "urgent"' custom.json > broken.json
if $validate "$schemas/target-custom.schema.json" broken.json 2>/dev/null; then
  echo "FAIL: a broken document passed validation" >&2; exit 1
fi
echo "schemas: ota-manifest outputs valid"
