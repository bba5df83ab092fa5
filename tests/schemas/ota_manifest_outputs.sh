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
# A slot image target (ota-image sign) adds custom.slot_image.
"$OTA_KEYS" generate --algo ed25519 --key file:keys/image.pem 2>/dev/null
"$OTA_IMAGE" sign --key file:keys/image.pem --in v1.bin --version 1.0.0 --hw-id hw --security-counter 1 \
  --out v1.slot 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file v1.slot --name ecu/v1.slot --version 1.0.0 --hardware-id hw 2>/dev/null
"$OTA_MANIFEST" publish --repo repo >/dev/null 2>&1
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu/v1.slot --json |
  jq .target.custom > custom-slot.json
jq -e '.slot_image.security_counter == 1' custom-slot.json >/dev/null
cp v2.bin v3.bin; printf 'three' >> v3.bin
cat > release.yaml <<YAML
version: "3"
priority: feature
targets:
  - {name: ecu/v3.bin, file: v3.bin, hardware_ids: [hw]}
  - {name: other/v3.bin, file: v3.bin, hardware_ids: [hw-o], version: "3.1", chunk_size: 4096}
YAML
"$OTA_MANIFEST" add --repo repo --release release.yaml --json > add-release.json
"$OTA_MANIFEST" publish --repo repo > /dev/null 2>&1
mkdir dkeys
for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ed25519 --key "file:dkeys/$k.pem" 2>/dev/null; done
sed 's|keys/|dkeys/|g' repo.yaml > director.yaml
cat > fleet.yaml <<YAML
vehicles:
  - vin: VIN-1
    ecus: [{serial: E1, hardware_id: hw, target: ecu/v3.bin, installed_version: "2"}]
  - {vin: VIN-2}
YAML
"$OTA_MANIFEST" director --fleet fleet.yaml --fleet-dir directors --config director.yaml --image-repo repo \
  --image-root repo/metadata/1.root.json --json > fleet.json
"$OTA_MANIFEST" init --config director.yaml --repo single > /dev/null 2>&1
"$OTA_MANIFEST" director --repo single --vehicle VIN-3 --ecu E1=hw:ecu/v2.bin@1 --image-repo repo \
  --image-root repo/metadata/1.root.json --json > director.json
"$OTA_MANIFEST" verify --repo directors/VIN-2 --trusted-root directors/VIN-2/metadata/1.root.json --vehicle VIN-2 \
  --json > verify-vehicle.json
for f in release fleet; do
  /usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2],"w"))' \
    "$f.yaml" "$f-file.json"
done
/usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open("repo.yaml")), open("repo-config.json","w"))'
"$OTA_MANIFEST" verify --repo repo --trusted-root keys/root.pem --json > error.json 2>/dev/null && exit 1

$validate "$schemas/ota-manifest-publish.schema.json" init.json publish.json timestamp.json
$validate "$schemas/ota-manifest-verify.schema.json" verify.json verify-vehicle.json
$validate "$schemas/ota-manifest-add.schema.json" add.json add-release.json
$validate "$schemas/ota-manifest-director.schema.json" fleet.json director.json
$validate "$schemas/manifest-release.schema.json" release-file.json
$validate "$schemas/director-fleet.schema.json" fleet-file.json
jq -e '.vehicle == "VIN-2"' verify-vehicle.json > /dev/null
$validate "$schemas/target-custom.schema.json" custom.json custom-slot.json
$validate "$schemas/repo-config.schema.json" repo-config.json
$validate "$schemas/error.schema.json" error.json
jq '.deltas["1"].algorithm == "bsdiff" or .deltas["1"].algorithm == "zstd"' custom.json | grep -q true
jq '.priority = "urgent"' custom.json > broken.json
if $validate "$schemas/target-custom.schema.json" broken.json 2>/dev/null; then
  echo "FAIL: a broken document passed validation" >&2; exit 1
fi
echo "schemas: ota-manifest outputs valid"
