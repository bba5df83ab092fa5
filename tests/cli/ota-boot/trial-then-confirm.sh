# An update staged in slot B boots on trial (1 of 3), the default health check (ok)
# confirms it, and the next reset boots B normally. --layout naming the same layout is fine.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$STAGE_SLOT" flash.img b b.slot
"$OTA_BOOT" --flash flash.img --layout "$layout" && "$OTA_BOOT" --flash flash.img
