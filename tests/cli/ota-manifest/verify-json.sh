. "$(dirname "$0")/../manifest_setup.sh"; make_repo
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu/fw.bin --json
