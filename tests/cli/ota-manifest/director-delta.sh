. "$(dirname "$0")/../manifest_setup.sh"; make_repo
head -c 200000 /dev/urandom > v1.bin; cp v1.bin v2.bin; printf 'patched' >> v2.bin
"$OTA_DELTA" create --from v1.bin --to v2.bin --out 1-2.patch 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file v1.bin --name ecu/app.bin.v1 --version 1 --hardware-id hw 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file v2.bin --name ecu/app.bin --version 2 --hardware-id hw --delta 1=1-2.patch --release-counter 5 2>/dev/null
"$OTA_MANIFEST" publish --repo repo 2>/dev/null
mkdir dkeys
for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ecdsa-p256 --key "file:dkeys/$k.pem" 2>/dev/null; done
sed 's|keys/|dkeys/|g' repo.yaml > director.yaml
"$OTA_MANIFEST" init --config director.yaml --repo director 2>/dev/null
"$OTA_MANIFEST" director --repo director --image-repo repo --image-root repo/metadata/1.root.json --vehicle VIN1 \
  --ecu ECU-A=hw:ecu/app.bin@1 --ecu ECU-B=hw:ecu/app.bin 2>/dev/null
"$OTA_MANIFEST" publish --repo director 2>/dev/null
"$OTA_MANIFEST" verify --repo director --trusted-root director/metadata/1.root.json --targets-from repo \
  --target ecu/app.bin.from-1.patch --json
