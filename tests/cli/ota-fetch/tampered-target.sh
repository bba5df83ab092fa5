. "$(dirname "$0")/../fetch_setup.sh"; make_repo; serve repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
sha=$(sha256sum fw.bin | cut -d' ' -f1)
printf 'evil image!!!!' > "repo/targets/ecu/$sha.fw.bin"   # same length, other bytes
download --target-name ecu/fw.bin
code=$?
# Nothing visible lands in the target directory, and nothing is kept to resume from.
[ -z "$(ls tg)" ] && [ -z "$(ls -A tg/.ota-fetch/partial)" ] || { ls -AR tg >&2; exit 9; }
exit $code
