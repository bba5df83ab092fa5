. "$(dirname "$0")/../manifest_setup.sh"; make_repo
"$OTA_MANIFEST" publish --repo keys
