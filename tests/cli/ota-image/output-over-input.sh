# --out naming the input: refused (exit 2), the input unchanged.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware\n' > fw.bin
cp fw.bin fw.orig
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.bin --version 1.0.0 --hw-id tcu-revA --security-counter 1
rc=$?; cmp -s fw.bin fw.orig || echo "fw.bin was changed" >&2; exit $rc
