# The issue's own command line: the director's root comes from device.yaml, beside it.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
mkdir dev && cp director/metadata/1.root.json dev/director-root.json
printf 'vin: VIN1\necu_serial: ECU-1\nhardware_id: test-board\ndirector_root: director-root.json\n' > dev/device.yaml
"$OTA_VERIFY" e2e --flash flash.img --device dev/device.yaml --repo repo --director director \
  --trusted-root repo/metadata/1.root.json --json
