# The health check fails on the trial boot: slot B is marked bad at once and the next
# reset boots A, with tries left over (no waiting for them to run out).
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
"$OTA_BOOT" --flash flash.img --health fail 2>/dev/null && "$OTA_BOOT" --flash flash.img --json
