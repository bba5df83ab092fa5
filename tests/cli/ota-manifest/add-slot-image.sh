# A slot image (ota-image sign) added as a target carries the digest the bootloader checks
# (BOOT-SPEC I6) in custom.slot_image; a slot image for another hardware id is refused.
. "$(dirname "$0")/../manifest_setup.sh"; make_repo
"$OTA_KEYS" generate --algo ed25519 --key file:image.pem 2>/dev/null
printf 'slot payload 2.0' > fw2.bin
"$OTA_IMAGE" --json sign --key file:image.pem --in fw2.bin --version 2.0.0 --hw-id hw --security-counter auto \
  --out fw2.slot > signed.json 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file fw2.slot --name ecu/fw2.slot --version 2.0.0 --hardware-id hw --json > added.json
"$OTA_MANIFEST" publish --repo repo 2>/dev/null >/dev/null
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu/fw2.slot --json 2>/dev/null |
  jq -e --slurpfile s signed.json '.target.custom.slot_image == {digest: $s[0].digest, version: "2.0.0+0",
    security_counter: 33554432, hardware_id: "hw"}' >/dev/null || { echo "custom.slot_image is not the image's" >&2; exit 1; }
"$OTA_MANIFEST" add --repo repo --file fw2.slot --name ecu/other.slot --version 2.0.0 --hardware-id hw-other
