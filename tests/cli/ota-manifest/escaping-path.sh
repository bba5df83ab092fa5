. "$(dirname "$0")/../manifest_setup.sh"; make_repo
"$OTA_MANIFEST" add --repo repo --file fw.bin --name ../fw.bin --version 2 --hardware-id hw
