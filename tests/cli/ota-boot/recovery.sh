# Slot A's payload corrupted and no other slot: RECOVERY (exit 6), slot A marked FAILED
# once; the next reset has nothing to judge and writes nothing.
source "$CLI_COMMON"
printf '\x00' | dd of=flash.img bs=1 seek=$((0x20000 + 40)) conv=notrunc 2>/dev/null
"$OTA_BOOT" --flash flash.img
echo "exit $?" >&2
"$OTA_BOOT" --flash flash.img --health-cmd 'echo never run'
