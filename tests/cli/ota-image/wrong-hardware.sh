# verify --hw-id of another device: WRONG_HARDWARE naming both ids (exit 3).
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1 2>/dev/null
"$OTA_IMAGE" verify fw.slot --trust k.pub.pem --hw-id tcu-revB
