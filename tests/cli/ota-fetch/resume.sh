. "$(dirname "$0")/../fetch_setup.sh"; make_repo
head -c 300000 /dev/urandom > big.bin
"$OTA_MANIFEST" add --repo repo --file big.bin --name ecu/big.bin --version 2 --hardware-id hw 2>/dev/null || exit 9
"$OTA_MANIFEST" publish --repo repo 2>/dev/null || exit 9
sha=$(sha256sum big.bin | cut -d' ' -f1)
# The link drops after 100000 bytes of the target.
echo "{\"/targets/ecu/$sha.big.bin\": {\"drop_after_bytes\": 100000}}" > control.json
serve repo --control control.json
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
download --retries 0 --target-name ecu/big.bin 2> err1 && exit 9
[ ! -e tg/ecu%2Fbig.bin ] || exit 9
[ "$(cat tg/.ota-fetch/partial/* | wc -c)" = 100000 ] || { ls -lA tg/.ota-fetch/partial >&2; exit 9; }
# The next run asks for the rest only (a Range request); the link drops again, and the
# retry goes on from there: it ends with the signed bytes.
: > server.log
download --target-name ecu/big.bin --json > out.json || exit 9
cmp tg/ecu%2Fbig.bin big.bin || exit 9
[ "$(grep -c "^GET /targets/" server.log)" = 2 ] || { cat server.log >&2; exit 9; }
grep -q "^GET /targets/ecu/$sha.big.bin 206 bytes=100000-$" server.log || { cat server.log >&2; exit 9; }
grep -q "^GET /targets/ecu/$sha.big.bin 206 bytes=200000-$" server.log || { cat server.log >&2; exit 9; }
[ -z "$(ls -A tg/.ota-fetch/partial)" ] || exit 9
cat out.json
