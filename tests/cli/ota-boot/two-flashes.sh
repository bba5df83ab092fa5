# BOOT-SPEC F1: a layout with internal flash and an external SPI-NOR (examples/
# stm32f4-spi.layout.yaml). The factory image holds both devices end to end (1 MiB + 4 MiB),
# each erased to its own value; an update staged in slot B, on the SPI flash, boots on
# trial, is confirmed by the health command, and the next reset boots it normally.
layout=$OTA_EXAMPLES/stm32f4-spi.layout.yaml
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
for v in a:1.0.0:1 b:2.0.0:2; do
  IFS=: read -r slot version sec <<< "$v"
  printf 'firmware %s\n' "$version" > "fw-$version.bin"
  "$OTA_IMAGE" sign --key file:k.pem --in "fw-$version.bin" --out "$slot.slot" --version "$version" --security-counter "$sec" \
    --layout "$layout" --slot "$slot" --hw-id bcm-stm32f4-revC 2>/dev/null || exit 1
done
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot --out flash.img 2>/dev/null || exit 1
[ "$(stat -c %s flash.img)" = $((5 * 1024 * 1024)) ] || { echo "flash.img is not 5 MiB" >&2; exit 1; }
"$OTA_IMAGE" info flash.img --json > info.json || exit 1
jq -e '.layout.flashes | length == 2 and .[1].name == "spi" and .[1].offset == 1048576 and .[1].page_size == 256' info.json >/dev/null || { echo "info: flashes" >&2; exit 1; }
jq -e '[.layout.regions[] | select(.name == "slot_b")][0] | .flash == 1 and .offset == 2097152' info.json >/dev/null || { echo "info: slot_b" >&2; exit 1; }
"$STAGE_SLOT" flash.img b b.slot || exit 1
"$OTA_BOOT" --flash flash.img --layout "$layout" --health-cmd 'cmp -s "$1" fw-2.0.0.bin' --json > first.json || exit 1
jq -e '.booted.slot == "B" and .path == "trial" and .health.action == "confirm" and .health.done' first.json >/dev/null || { echo "first boot" >&2; cat first.json >&2; exit 1; }
"$OTA_BOOT" --flash flash.img --json
