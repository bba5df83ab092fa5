# One payload byte changed after signing: INVALID_HASH (exit 3). The payload is fixed, so
# both digests in the message are too.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
head -c 1000 /dev/zero > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1 2>/dev/null
printf '\x01' | dd of=fw.slot bs=1 seek=$((32 + 500)) conv=notrunc 2>/dev/null
"$OTA_IMAGE" verify fw.slot --trust k.pub.pem
