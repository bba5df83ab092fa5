# --health-cmd gets the booted image's payload as "$1" (here compared with what was
# signed); exit 0 in time confirms the trial slot.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
"$OTA_BOOT" --flash flash.img --json --health-cmd 'cmp -s "$1" fw-2.0.0.bin && case "$1" in "$PWD"/*) exit 9;; esac'
