#!/usr/bin/env bash
# Every --json document ota-image prints (sign, sign --vector-to-sign, build, info on a slot
# image and on flash images, verify, an error) validates against its schema in schemas/;
# a document that breaks a schema does not. Uses $OTA_IMAGE, $OTA_KEYS and $OTA_EXAMPLES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas="$here/../../schemas"
validate="/usr/bin/python3 $here/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
layout=$OTA_EXAMPLES/mcu-1mib.layout.yaml
slot_opts=(--layout "$layout" --vendor example.com --hw-id tcu-mcu-revA)

for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  "$OTA_KEYS" generate --algo "$algo" --key "file:$algo.pem" 2>/dev/null
  "$OTA_KEYS" public --key "file:$algo.pem" --format pem > "$algo.pub.pem"
done
trust=(--trust ed25519.pub.pem --trust ecdsa-p256.pub.pem --trust rsa-pss-3072.pub.pem)
printf 'firmware 1.2.3\n' > fw.bin

# sign: plain, every optional TLV, three signers, and for each slot of the layout.
"$OTA_IMAGE" --json sign --key file:ed25519.pem --in fw.bin --out plain.slot --version 1.2.3 \
  --hw-id tcu-revA --security-counter auto > sign-plain.json 2>/dev/null
"$OTA_IMAGE" --json sign --key file:ecdsa-p256.pem --in fw.bin --out full.slot --version 1.2.3+7 \
  --hw-id tcu-revA --security-counter 9 --image-type 2 --build-info 'commit abc' \
  --dependency 1:1.0.0 --dependency 2:0.9 --header-size 64 --erased 0x00 > sign-full.json 2>/dev/null
"$OTA_IMAGE" --json sign --key file:ed25519.pem --key file:ecdsa-p256.pem --key file:rsa-pss-3072.pem \
  --in fw.bin --out three.slot --version 1.2.3 --hw-id tcu-revA --security-counter 3 > sign-three.json 2>/dev/null
for slot in a b; do
  "$OTA_IMAGE" --json sign --key file:ecdsa-p256.pem --in fw.bin --out "$slot.slot" --version 1.2.3 \
    --security-counter 4 --slot "$slot" "${slot_opts[@]}" > "sign-slot-$slot.json" 2>/dev/null
done

# sign --vector-to-sign, both kinds.
for kind in payload digest; do
  "$OTA_IMAGE" --json sign --in fw.bin --out "$kind.vec" --version 1.2.3 --hw-id tcu-revA \
    --security-counter 3 --vector-to-sign "$kind" > "vector-$kind.json" 2>/dev/null
done

# build: slot A alone, and both slots with a threshold of 2.
"$OTA_IMAGE" --json build --layout "$layout" --trust ecdsa-p256.pub.pem --slot-a a.slot \
  --out one.img > build-one.json 2>/dev/null
"$OTA_IMAGE" --json sign --key file:ecdsa-p256.pem --key file:ed25519.pem --in fw.bin --out a2.slot \
  --version 1.2.3 --security-counter 4 --slot a "${slot_opts[@]}" >/dev/null 2>&1
"$OTA_IMAGE" --json sign --key file:ecdsa-p256.pem --key file:ed25519.pem --in fw.bin --out b2.slot \
  --version 1.2.3 --security-counter 4 --slot b "${slot_opts[@]}" >/dev/null 2>&1
"$OTA_IMAGE" --json build --layout "$layout" "${trust[@]}" --threshold 2 --slot-a a2.slot --slot-b b2.slot \
  --out two.img > build-two.json 2>/dev/null

# info on slot images: verified, untrusted, wrong hardware, no policy at all.
"$OTA_IMAGE" --json info three.slot "${trust[@]}" --threshold 3 --hw-id tcu-revA > info-slot-ok.json
"$OTA_IMAGE" --json info full.slot --trust ed25519.pub.pem > info-slot-untrusted.json
"$OTA_IMAGE" --json info plain.slot --trust ed25519.pub.pem --hw-id other > info-slot-hw.json
"$OTA_IMAGE" --json info plain.slot > info-slot-bare.json

# info on flash images: as built, with --layout, with slot A's payload corrupted, and with the
# root of trust and both boot-control copies erased.
"$OTA_IMAGE" --json info one.img > info-flash-one.json
"$OTA_IMAGE" --json info two.img --layout "$layout" > info-flash-two.json
cp one.img corrupt.img
printf '\x00' | dd of=corrupt.img bs=1 seek=$((0x20000 + 33)) conv=notrunc 2>/dev/null
"$OTA_IMAGE" --json info corrupt.img > info-flash-corrupt.json
cp one.img erased.img
head -c $((3 * 4096)) /dev/zero | tr '\0' '\377' | dd of=erased.img bs=4096 seek=16 conv=notrunc 2>/dev/null
"$OTA_IMAGE" --json info erased.img > info-flash-erased.json

# verify: one signature, three of three.
"$OTA_IMAGE" --json verify plain.slot --trust ed25519.pub.pem --hw-id tcu-revA > verify-one.json
"$OTA_IMAGE" --json verify three.slot "${trust[@]}" --threshold 3 --min-security-counter 3 > verify-three.json

# errors: a refused image (exit 3), a malformed one (exit 1), a missing file (exit 4).
"$OTA_IMAGE" --json verify plain.slot --trust ecdsa-p256.pub.pem > error-rejected.json 2>/dev/null && exit 1
head -c 100 plain.slot > cut.slot
"$OTA_IMAGE" --json verify cut.slot --trust ed25519.pub.pem > error-corrupt.json 2>/dev/null && exit 1
"$OTA_IMAGE" --json info absent.img > error-missing.json 2>/dev/null && exit 1

# The documents must show what they are meant to, or validating them proves little.
jq -e '.verification.result == "OK"' info-slot-ok.json >/dev/null
jq -e '.verification.result == "INVALID_SIGNATURE"' info-slot-untrusted.json >/dev/null
jq -e '.verification.result == "WRONG_HARDWARE"' info-slot-hw.json >/dev/null
jq -e '.slots[0].verification.result == "INVALID_HASH" and .slots[0].image != null' info-flash-corrupt.json >/dev/null
jq -e '.root_of_trust == null and .boot_control == null and .rot_problem != null' info-flash-erased.json >/dev/null
jq -e '.slots[1].empty and (.slots[0].verification.result == "OK")' info-flash-one.json >/dev/null

$validate "$schemas/ota-image-sign.schema.json" sign-*.json
$validate "$schemas/ota-image-vector.schema.json" vector-*.json
$validate "$schemas/ota-image-build.schema.json" build-*.json
$validate "$schemas/ota-image-info.schema.json" info-*.json
$validate "$schemas/ota-image-verify.schema.json" verify-*.json
$validate "$schemas/error.schema.json" error-*.json

# Documents that break a schema must fail, or the checks prove nothing.
jq '.extra = 1' sign-plain.json > broken-sign.json
jq '.vector_to_sign = "region"' vector-payload.json > broken-vector.json
jq '.boot_control.slots[0].state = "booted"' build-one.json > broken-build.json
jq '.kind = "slot-image"' info-flash-one.json > broken-info-flash.json
jq 'del(.verification)' info-slot-ok.json > broken-info-slot.json
jq '.result = "INVALID_HASH"' verify-one.json > broken-verify.json
for pair in sign:broken-sign vector:broken-vector build:broken-build info:broken-info-flash \
            info:broken-info-slot verify:broken-verify; do
  if $validate "$schemas/ota-image-${pair%%:*}.schema.json" "${pair#*:}.json" 2>/dev/null; then
    echo "FAIL: ${pair#*:}.json passed validation" >&2
    exit 1
  fi
done
echo "schemas: ota-image outputs valid, 6 broken documents rejected"
