. "$(dirname "$0")/../fetch_setup.sh"
"$OTA_FETCH" --metadata-dir md --metadata-url http://127.0.0.1:1/metadata/ refresh
