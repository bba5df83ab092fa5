# A factory image boots slot A, normally, and the file is left byte-identical (C7).
source "$CLI_COMMON"
cp flash.img before.img
"$OTA_BOOT" --flash flash.img --json
rc=$?; cmp -s flash.img before.img || echo "flash.img changed" >&2; exit $rc
