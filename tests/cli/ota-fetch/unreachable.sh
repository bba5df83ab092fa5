. "$(dirname "$0")/../fetch_setup.sh"; make_repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
"$OTA_FETCH" --metadata-dir md --metadata-url http://127.0.0.1:1/metadata/ refresh 2> err
code=$?
[ "$(wc -l < err)" = 1 ] && grep -q "^ota-fetch: error: fetching 2.root.json: " err || { cat err >&2; exit 9; }
[ "$(ls -A md)" = root.json ] || exit 9
exit $code
