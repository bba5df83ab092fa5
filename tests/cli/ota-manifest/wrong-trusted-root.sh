. "$(dirname "$0")/../manifest_setup.sh"; make_repo
cp keys/root.pem notroot.json
"$OTA_MANIFEST" verify --repo repo --trusted-root notroot.json
