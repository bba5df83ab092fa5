# Round trip with a file key: sign, then verify --json against its public key.
"$OTA_KEYS" generate --algo ecdsa-p256 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware 1.2.3\n' > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.2.3 --hw-id tcu-revA \
  --security-counter auto &&
"$OTA_IMAGE" verify fw.slot --trust k.pub.pem --hw-id tcu-revA --json
