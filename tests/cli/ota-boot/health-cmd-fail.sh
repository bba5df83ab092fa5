# A health command that exits non-zero marks the trial slot bad.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
"$OTA_BOOT" --flash flash.img --json --health-cmd 'echo "self-test failed" ; exit 1'
