. "$(dirname "$0")/../fetch_setup.sh"; make_repo; serve repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
# Stops at the first failure: the second target is not tried.
download --target-name ecu/missing.bin --target-name ecu/fw.bin
code=$?
[ ! -e tg/ecu%2Ffw.bin ] || exit 9
exit $code
