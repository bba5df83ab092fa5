. "$(dirname "$0")/../fetch_setup.sh"; make_repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json 2>/dev/null || exit 9
"$OTA_FETCH" --metadata-dir md --metadata-url http://127.0.0.1:1/ download
