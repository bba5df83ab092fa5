# A device on v2 (the floor at v2's security counter) is assigned v1: refused before any
# flash write, and the flash file is byte for byte as it was.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_IMAGE" build --layout board.layout.yaml --trust keys/image.pub.pem --slot-a v2.slot --out flash.img 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file v1.slot --name fw/board-1.0.0.slot --version 1.0.0 --hardware-id test-board \
  --chunk-size 4096 2>/dev/null && "$OTA_MANIFEST" publish --repo repo 2>/dev/null || exit 99
rm -rf director && "$OTA_MANIFEST" init --config director.yaml --repo director 2>/dev/null &&
"$OTA_MANIFEST" director --repo director --vehicle VIN1 --ecu "ECU-1=test-board:fw/board-1.0.0.slot@1.1.0" \
  --image-repo repo --image-root repo/metadata/1.root.json 2>/dev/null && "$OTA_MANIFEST" publish --repo director 2>/dev/null || exit 99
cp flash.img before.img
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json || code=$?
cmp -s flash.img before.img || { echo "the flash changed" >&2; exit 97; }
exit ${code:-0}
