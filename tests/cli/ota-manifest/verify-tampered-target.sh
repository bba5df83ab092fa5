. "$(dirname "$0")/../manifest_setup.sh"; make_repo
f=$(ls repo/targets/ecu/*.fw.bin); printf "X" >> "$f"
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu/fw.bin --out got.bin
rc=$?; [ ! -e got.bin ] || echo "got.bin written" >&2; exit $rc
