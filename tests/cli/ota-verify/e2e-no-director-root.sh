source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e --flash flash.img --device device.yaml --repo repo --director director \
  --trusted-root repo/metadata/1.root.json
