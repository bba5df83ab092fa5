# A health command still running after --timeout is a hang: killed, nothing written after
# the counted trial. ota-boot returns within seconds, not after the command's 60.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
start=$(date +%s)
"$OTA_BOOT" --flash flash.img --json --health-cmd 'sleep 60' --timeout 1
rc=$?; [ $(( $(date +%s) - start )) -lt 20 ] || echo "took too long" >&2; exit $rc
