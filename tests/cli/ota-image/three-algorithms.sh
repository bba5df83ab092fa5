# One image signed by Ed25519, ECDSA P-256 and RSA-PSS-3072 file keys: threshold 3 holds with
# all three trusted and fails with two.
for a in ed25519 ecdsa-p256 rsa-pss-3072; do
  "$OTA_KEYS" generate --algo $a --key file:$a.pem 2>/dev/null
  "$OTA_KEYS" public --key file:$a.pem --format pem > $a.pub.pem
done
printf 'firmware 3.0.0\n' > fw.bin
"$OTA_IMAGE" sign --key file:ed25519.pem --key file:ecdsa-p256.pem --key file:rsa-pss-3072.pem \
  --in fw.bin --out fw.slot --version 3.0.0 --hw-id tcu-revA --security-counter auto || exit
! "$OTA_IMAGE" verify fw.slot --trust ed25519.pub.pem --trust ecdsa-p256.pub.pem --threshold 3 2>/dev/null ||
  { echo "threshold 3 passed with two trusted keys" >&2; exit 1; }
"$OTA_IMAGE" verify fw.slot --trust ed25519.pub.pem --trust ecdsa-p256.pub.pem --trust rsa-pss-3072.pub.pem \
  --threshold 3 --json
