# --in that does not exist: file error (exit 4), no image.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
"$OTA_IMAGE" sign --key file:k.pem --in absent.bin --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1
rc=$?; [ ! -e fw.slot ] || echo "fw.slot was written" >&2; exit $rc
