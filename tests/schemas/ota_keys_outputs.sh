#!/usr/bin/env bash
# Every --json document ota-keys and ota-sign print validates against its schema in
# schemas/, with keys in a SoftHSM2 token and in files, for each algorithm.
set -euo pipefail
schemas=$(cd "$(dirname "$0")/../../schemas" && pwd)
validate="/usr/bin/python3 $(dirname "$0")/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
eval "$("$KEYS_EXAMPLE/softhsm-token.sh" hsm)"
pin="?pin-source=$OTA_EXAMPLE_PIN_SOURCE"
printf 'payload' > data
for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  "$OTA_KEYS" generate --algo "$algo" --key "pkcs11:token=ota-example;object=$algo$pin" --json > "gen-hsm-$algo.json"
  "$OTA_KEYS" generate --algo "$algo" --key "file:$algo.pem" --json > "gen-file-$algo.json"
  "$OTA_KEYS" public --key "pkcs11:token=ota-example;object=$algo" --json > "pub-$algo.json"
  "$OTA_SIGN" --key "pkcs11:token=ota-example;object=$algo$pin" --in data --out "$algo.sig" \
    --audit-log audit.log --role targets --json > "sign-hsm-$algo.json"
  "$OTA_SIGN" --key "file:$algo.pem" --in data --out "$algo.file.sig" --json > "sign-file-$algo.json"
  "$OTA_SIGN" verify --pub "pub-$algo.json" --in data --sig "$algo.sig" --json > "verify-$algo.json"
done
OTA_PKCS11_PIN=246810 "$OTA_KEYS" list --token pkcs11:token=ota-example --json > list.json
"$OTA_KEYS" audit verify audit.log --json > audit.json
"$OTA_SIGN" verify --pub pub-ed25519.json --in data --sig ecdsa-p256.sig --json > error.json 2>/dev/null && exit 1

$validate "$schemas/ota-keys-generate.schema.json" gen-*.json
$validate "$schemas/ota-keys-public.schema.json" pub-*.json
$validate "$schemas/ota-keys-list.schema.json" list.json
$validate "$schemas/ota-keys-audit-verify.schema.json" audit.json
$validate "$schemas/ota-sign-sign.schema.json" sign-*.json
$validate "$schemas/ota-sign-verify.schema.json" verify-*.json
$validate "$schemas/error.schema.json" error.json
$validate "$schemas/audit-record.schema.json" <(sed -n 1p audit.log)
jq '.algorithm = "rsa-pkcs1"' sign-file-ed25519.json > broken.json
if $validate "$schemas/ota-sign-sign.schema.json" broken.json 2>/dev/null; then
  echo "FAIL: a broken document passed validation" >&2
  exit 1
fi
echo "schemas: ota-keys and ota-sign outputs valid"
