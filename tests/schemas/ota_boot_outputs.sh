#!/usr/bin/env bash
# Every kind of --json document ota-boot prints (normal boot, trial + confirm, health fail,
# health command ok / fail / hang, rollback, scan mode, recovery, an error) validates against
# schemas/ota-boot.schema.json (errors: error.schema.json); documents that break the schema
# do not. Uses $OTA_BOOT, $OTA_IMAGE, $STAGE_SLOT, $OTA_KEYS and $OTA_EXAMPLES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas="$here/../../schemas"
validate="/usr/bin/python3 $here/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
layout=$OTA_EXAMPLES/mcu-1mib.layout.yaml
"$OTA_KEYS" generate --algo ecdsa-p256 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
sign() {  # SLOT VERSION SEC OUT
  printf 'firmware %s\n' "$2" > "fw-$2.bin"
  "$OTA_IMAGE" sign --key file:k.pem --in "fw-$2.bin" --out "$4" --version "$2" --security-counter "$3" \
    --layout "$layout" --slot "$1" --vendor example.com --hw-id tcu-mcu-revA 2>/dev/null
}
sign a 1.0.0 1 a.slot
sign b 2.0.0 2 b.slot
factory() { "$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot "$@" --out "$flash" 2>/dev/null; }
boot() { "$OTA_BOOT" --flash "$flash" --json "$@" 2>/dev/null; }

flash=f1.img; factory
boot > boot-normal.json
"$STAGE_SLOT" "$flash" b b.slot
boot > boot-trial-confirm.json
flash=f2.img; factory; "$STAGE_SLOT" "$flash" b b.slot
boot --health fail > boot-health-fail.json
boot > boot-after-mark-bad.json
flash=f3.img; factory; "$STAGE_SLOT" "$flash" b b.slot
boot --health-cmd 'test -s "$1"' > boot-cmd-ok.json
flash=f4.img; factory; "$STAGE_SLOT" "$flash" b b.slot
boot --health-cmd 'kill -9 $$' > boot-cmd-signal.json
flash=f7.img; factory; "$STAGE_SLOT" "$flash" b b.slot
boot --health-cmd 'sleep 30' --timeout 0.5 > boot-cmd-hang.json
boot --health hang > /dev/null
boot --health hang > /dev/null
boot --health hang > boot-rollback.json
flash=f5.img; factory --slot-b b.slot
head -c 8192 /dev/zero | tr '\0' '\377' | dd of="$flash" bs=4096 seek=17 conv=notrunc 2>/dev/null
boot > boot-scan.json
flash=f6.img; factory
printf '\x00' | dd of="$flash" bs=1 seek=$((0x20000 + 40)) conv=notrunc 2>/dev/null
boot > boot-recovery.json && exit 1
boot > boot-recovery-again.json && exit 1
head -c 1000 f1.img > short.img
"$OTA_BOOT" --flash short.img --json > error-truncated.json 2>/dev/null && exit 1

# The documents must show what they are meant to, or validating them proves little.
jq -e '.path == "normal" and .health.action == "none"' boot-normal.json >/dev/null
jq -e '.path == "trial" and .health.action == "confirm" and .health.done' boot-trial-confirm.json >/dev/null
jq -e '.health.action == "mark-bad" and .health.done' boot-health-fail.json >/dev/null
jq -e '.booted.slot == "A" and .final.boot_control.op == "mark-bad"' boot-after-mark-bad.json >/dev/null
jq -e '.health.result == "ok" and .health.exit_code == 0' boot-cmd-ok.json >/dev/null
jq -e '.health.result == "fail" and .health.signal == 9' boot-cmd-signal.json >/dev/null
jq -e '.health.result == "hang" and .health.timed_out' boot-cmd-hang.json >/dev/null
jq -e '.path == "rollback" and .booted.slot == "A"' boot-rollback.json >/dev/null
jq -e '.path == "scan" and .bcr == null' boot-scan.json >/dev/null
jq -e '.result == "recovery" and .booted == null and .health == null' boot-recovery.json >/dev/null
jq -e '.result == "recovery" and .checks == []' boot-recovery-again.json >/dev/null

$validate "$schemas/ota-boot.schema.json" boot-*.json
$validate "$schemas/error.schema.json" error-*.json

# Documents that break the schema must fail, or the checks prove nothing.
jq '.extra = 1' boot-normal.json > broken-extra.json
jq '.path = "recovery"' boot-normal.json > broken-path.json
jq '.health = null' boot-trial-confirm.json > broken-health.json
jq '.booted.slot = "C"' boot-normal.json > broken-slot.json
jq '.checks[0].result = "FINE"' boot-recovery.json > broken-check.json
jq '.final.boot_control.slots[0].state = "booted"' boot-normal.json > broken-record.json
for doc in broken-*.json; do
  if $validate "$schemas/ota-boot.schema.json" "$doc" 2>/dev/null; then
    echo "FAIL: $doc passed validation" >&2
    exit 1
  fi
done
echo "schemas: ota-boot outputs valid, 6 broken documents rejected"
