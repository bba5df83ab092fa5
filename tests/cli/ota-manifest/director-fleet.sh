. "$(dirname "$0")/../manifest_setup.sh"; make_repo
printf 'second image' > fw2.bin
"$OTA_MANIFEST" add --repo repo --file fw2.bin --name ecu/fw2.bin --version 2 --hardware-id hw 2>/dev/null
"$OTA_MANIFEST" publish --repo repo 2>/dev/null >/dev/null
mkdir dkeys
for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ecdsa-p256 --key "file:dkeys/$k.pem" 2>/dev/null; done
sed 's|keys/|dkeys/|g' repo.yaml > director.yaml
cat > fleet.yaml <<YAML
vehicles:
  - vin: VIN-A
    ecus:
      - {serial: ECU-1, hardware_id: hw, target: ecu/fw2.bin, installed_version: "1"}
  - vin: VIN-B
    ecus: []
YAML
"$OTA_MANIFEST" director --fleet fleet.yaml --fleet-dir directors --config director.yaml \
  --image-repo repo --image-root repo/metadata/1.root.json --json > fleet.json || exit 1
# VIN-B has nothing to install and its metadata still names it; the wrong VIN is refused.
"$OTA_MANIFEST" verify --repo directors/VIN-B --trusted-root directors/VIN-B/metadata/1.root.json --vehicle VIN-B \
  --json > vin-b.json || exit 1
"$OTA_MANIFEST" verify --repo directors/VIN-B --trusted-root directors/VIN-B/metadata/1.root.json --vehicle VIN-A \
  2> wrong.err >/dev/null
[ $? = 3 ] || exit 1
grep -q "is director metadata for vehicle 'VIN-B', not for 'VIN-A'" wrong.err || exit 1
# A second run updates the same repositories (no --config needed any more).
"$OTA_MANIFEST" director --fleet fleet.yaml --fleet-dir directors \
  --image-repo repo --image-root repo/metadata/1.root.json --json > again.json || exit 1
jq -s '{first: .[0], vin_b: .[1], again: .[2]}' fleet.json vin-b.json again.json
