# build with an image signed by a key that is not among --trust: INVALID_SIGNATURE (exit 3),
# no flash image.
# The signer's Ed25519 key comes from a fixed test seed (not a secret): its key hash is in
# the expected message.
{ echo '-----BEGIN PRIVATE KEY-----'
  { printf '\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20'
    printf 'unsigned-case-seed-not-secret-32'; } | base64 -w0
  echo; echo '-----END PRIVATE KEY-----'; } > signer.pem
"$OTA_KEYS" generate --algo ed25519 --key file:trusted.pem 2>/dev/null
"$OTA_KEYS" public --key file:trusted.pem --format pem > trusted.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
"$OTA_IMAGE" sign --key file:signer.pem --in fw.bin --out a.slot --version 1.0.0 --security-counter 1 \
  --layout "$OTA_EXAMPLES/mcu-1mib.layout.yaml" --slot a --vendor example.com --hw-id tcu-mcu-revA 2>/dev/null
"$OTA_IMAGE" build --layout "$OTA_EXAMPLES/mcu-1mib.layout.yaml" --trust trusted.pub.pem --slot-a a.slot --out flash.img
rc=$?; [ ! -e flash.img ] || echo "flash.img was written" >&2; exit $rc
