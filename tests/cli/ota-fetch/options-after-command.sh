. "$(dirname "$0")/../fetch_setup.sh"; make_repo; serve repo
# The suite puts options before the command word; after it works as well.
"$OTA_FETCH" init --metadata-dir md repo/metadata/1.root.json 2>/dev/null || exit 1
"$OTA_FETCH" refresh --metadata-dir md --metadata-url "$URL/metadata"
