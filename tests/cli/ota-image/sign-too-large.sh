# sign --slot-size smaller than the signed image: refused (exit 2) naming the bytes, no image.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
head -c 50000 /dev/zero > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.0.0 --hw-id tiny-revA \
  --security-counter 1 --slot-size 0xc000
rc=$?; [ ! -e fw.slot ] || echo "fw.slot was written" >&2; exit $rc
