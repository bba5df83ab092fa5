. "$(dirname "$0")/../manifest_setup.sh"; make_repo
printf 'targets: []\n' > rel.yaml
"$OTA_MANIFEST" add --repo repo --release rel.yaml --file fw.bin
