. "$(dirname "$0")/../manifest_setup.sh"; make_repo
mkdir dkeys
for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ed25519 --key "file:dkeys/$k.pem" 2>/dev/null; done
sed 's|keys/|dkeys/|g' repo.yaml > director.yaml
"$OTA_MANIFEST" init --config director.yaml --repo director 2>/dev/null
"$OTA_MANIFEST" director --repo director --image-repo repo --image-root repo/metadata/1.root.json --vehicle VIN1 \
  --ecu ECU-A=hw:ecu/fw.bin --ecu ECU-A=hw:ecu/fw.bin
