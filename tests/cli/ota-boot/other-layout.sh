# A flash image built for another layout (here: 4 trial boots instead of 3) is refused
# with --layout, before anything runs, and the file stays byte-identical (L6).
source "$CLI_COMMON"
sed 's/tries: 3/tries: 4/' "$layout" > other.yaml
cp flash.img before.img
"$OTA_BOOT" --flash flash.img --layout other.yaml
rc=$?; cmp -s flash.img before.img || echo "flash.img changed" >&2; exit $rc
