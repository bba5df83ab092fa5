# Both boot-control copies erased: scan mode boots the verifying slot with the highest
# SEC_CNT on trial and writes a fresh record; the health check confirms it.
source "$CLI_COMMON"
sign_slot b 2.0.0 2 b.slot
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot --slot-b b.slot --out flash.img 2>/dev/null
head -c 8192 /dev/zero | tr '\0' '\377' | dd of=flash.img bs=4096 seek=17 conv=notrunc 2>/dev/null
"$OTA_BOOT" --flash flash.img --json
