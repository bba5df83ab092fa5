# Sourced by the ota-boot cases: a key, slot A (1.0.0, SEC_CNT 1) in the example MCU
# layout's factory image flash.img, and sign_slot to make more images. Setup output is
# dropped so each case's stderr holds ota-boot's lines only.
layout=$OTA_EXAMPLES/mcu-1mib.layout.yaml
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
# sign_slot SLOT VERSION SEC_CNT OUT [extra ota-image sign options]: payload "firmware VERSION".
sign_slot() {
  local slot=$1 version=$2 sec=$3 out=$4
  shift 4
  printf 'firmware %s\n' "$version" > "fw-$version.bin"
  "$OTA_IMAGE" sign --key file:k.pem --in "fw-$version.bin" --out "$out" --version "$version" --security-counter "$sec" \
    --layout "$layout" --slot "$slot" --vendor example.com --hw-id tcu-mcu-revA "$@" 2>/dev/null
}
sign_slot a 1.0.0 1 a.slot
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot --out flash.img 2>/dev/null
