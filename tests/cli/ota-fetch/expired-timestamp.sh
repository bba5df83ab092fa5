. "$(dirname "$0")/../fetch_setup.sh"; make_repo; serve repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
fetch refresh 2>/dev/null || exit 9
cp md/timestamp.json before.json
# The clock comes from libc, so faketime moves it: a frozen repository is refused.
faketime -f +2d "$OTA_FETCH" --metadata-dir md --metadata-url "$URL/metadata/" refresh 2> err
code=$?
grep -q "expired on" err || { cat err >&2; exit 9; }
cmp md/timestamp.json before.json || exit 9
exit $code
