# Sign for slot A of the example MCU layout, build the factory image, inspect it.
"$OTA_KEYS" generate --algo ecdsa-p256 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware 1.2.3\n' > fw.bin
layout=$OTA_EXAMPLES/mcu-1mib.layout.yaml
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out a.slot --version 1.2.3 --security-counter auto \
  --layout "$layout" --slot a --vendor example.com --hw-id tcu-mcu-revA &&
"$OTA_IMAGE" build --layout "$layout" --trust k.pub.pem --slot-a a.slot --out flash.img &&
"$OTA_IMAGE" info flash.img --json
