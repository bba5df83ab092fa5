. "$(dirname "$0")/../fetch_setup.sh"; make_repo
echo '{"/metadata/timestamp.json": {"endless": true}}' > control.json
serve repo --control control.json
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
# Endless data: the timestamp's length is not known in advance, so reading stops at
# 16384 bytes (tuf-js's and python-tuf's default) and nothing is trusted.
timeout 60 "$OTA_FETCH" --metadata-dir md --metadata-url "$URL/metadata/" refresh 2> err
code=$?
grep -q "16384 bytes" err || { cat err >&2; exit 9; }
[ "$(ls -A md)" = root.json ] || exit 9
exit $code
