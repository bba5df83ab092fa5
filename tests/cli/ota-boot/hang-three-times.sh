# A firmware that hangs every time: each reset counts one trial before the jump (B2), so
# after 3 the bootloader rolls back to A by itself.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
for i in 1 2 3; do "$OTA_BOOT" --flash flash.img --health hang 2>/dev/null || exit 1; done
"$OTA_BOOT" --flash flash.img --health hang --json
