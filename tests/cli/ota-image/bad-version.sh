# A four-part version is not imgtool's grammar: usage error (exit 2), no image.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware\n' > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.2.3.4 --hw-id tcu-revA --security-counter 1
rc=$?; [ ! -e fw.slot ] || echo "fw.slot was written" >&2; exit $rc
