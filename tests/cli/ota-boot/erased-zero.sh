# The same update cycle on flash that erases to 0x00 (F2): factory, staged B, trial,
# confirm by the health command, then a normal boot of B that writes nothing.
layout_ff=$OTA_EXAMPLES/mcu-1mib.layout.yaml
sed 's/erased: 0xff/erased: 0x00/' "$layout_ff" > zero.yaml
grep -q 'erased: 0x00' zero.yaml || exit 1
layout=$PWD/zero.yaml
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
for v in a:1.0.0:1 b:2.0.0:2; do
  IFS=: read -r slot version sec <<< "$v"
  printf 'firmware %s\n' "$version" > "fw-$version.bin"
  "$OTA_IMAGE" sign --key file:k.pem --in "fw-$version.bin" --out "$slot.slot" --version "$version" --security-counter "$sec" \
    --layout "$layout" --slot "$slot" --vendor example.com --hw-id tcu-mcu-revA 2>/dev/null || exit 1
done
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot --out flash.img 2>/dev/null || exit 1
[ "$(od -An -tx1 -j $((0x13000)) -N1 flash.img)" = " 00" ] || { echo "not erased to 0x00" >&2; exit 1; }
"$STAGE_SLOT" flash.img b b.slot || exit 1
"$OTA_BOOT" --flash flash.img --layout "$layout" --health-cmd 'cmp -s "$1" fw-2.0.0.bin' --json > first.json || exit 1
jq -e '.path == "trial" and .health.action == "confirm" and .health.done' first.json >/dev/null || exit 1
cp flash.img before.img
"$OTA_BOOT" --flash flash.img --json
rc=$?; cmp -s flash.img before.img || echo "flash.img changed" >&2; exit $rc
