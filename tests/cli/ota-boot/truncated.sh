# A flash image cut short: one line, exit 1, nothing written.
source "$CLI_COMMON"
head -c 1000000 flash.img > short.img
cp short.img before.img
"$OTA_BOOT" --flash short.img
rc=$?; cmp -s short.img before.img || echo "short.img changed" >&2; exit $rc
