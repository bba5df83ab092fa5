. "$(dirname "$0")/../manifest_setup.sh"; make_repo
printf "second" > fw2.bin
"$OTA_MANIFEST" add --repo repo --file fw2.bin --name ecu/fw2.bin --version 2 --hardware-id hw 2>/dev/null
printf "Z" >> repo/targets/ecu/*.fw2.bin
cp repo/metadata/timestamp.json before.json
"$OTA_MANIFEST" publish --repo repo; rc=$?; cmp -s before.json repo/metadata/timestamp.json || echo "timestamp changed" >&2; exit $rc
