# A --fix-sig made over other bytes than the vector is refused (exit 3) and no image is
# written. The Ed25519 key comes from a fixed test seed (not a secret) so that its key
# hash in the message is stable.
{ echo '-----BEGIN PRIVATE KEY-----'
  { printf '\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20'
    printf 'fixed-test-seed-not-a-secret-32b'; } | base64 -w0
  echo; echo '-----END PRIVATE KEY-----'; } > fixed.pem
"$OTA_KEYS" public --key file:fixed.pem --format pem > fixed.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
printf 'other bytes\n' > other
"$OTA_SIGN" --key file:fixed.pem --in other --out other.sig 2>/dev/null
"$OTA_IMAGE" sign --in fw.bin --version 1.0.0 --hw-id tcu-revA --security-counter 5 \
  --fix-sig other.sig --fix-sig-pubkey fixed.pub.pem --out fw.slot
rc=$?; [ ! -e fw.slot ] || echo "fw.slot was written" >&2; exit $rc
