# An image built to run from slot B (ROM_FIXED 0x08090000) given to build as slot A:
# WRONG_SLOT naming both addresses (exit 3), no flash image.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
layout=$OTA_EXAMPLES/mcu-1mib.layout.yaml
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out b.slot --version 1.0.0 --security-counter 1 \
  --layout "$layout" --slot b --vendor example.com --hw-id tcu-mcu-revA 2>/dev/null
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a b.slot --out flash.img
rc=$?; [ ! -e flash.img ] || echo "flash.img was written" >&2; exit $rc
