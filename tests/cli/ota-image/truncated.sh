# A signed image cut inside its payload (head -c): malformed (exit 1).
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
head -c 1000 /dev/zero > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1 2>/dev/null
head -c 500 fw.slot > cut.slot
"$OTA_IMAGE" verify cut.slot --trust k.pub.pem
