# imgtool's split signing: write the vector, sign it elsewhere (ota-sign), assemble with
# --fix-sig. ECDSA signs the payload vector (raw and imgtool's base64 signature file),
# Ed25519 the digest vector; the Ed25519 image is byte-identical to one signed directly.
"$OTA_KEYS" generate --algo ecdsa-p256 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
"$OTA_KEYS" generate --algo ed25519 --key file:e.pem 2>/dev/null
"$OTA_KEYS" public --key file:e.pem --format pem > e.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
opts=(--in fw.bin --version 1.0.0 --hw-id tcu-revA --security-counter 5)
"$OTA_IMAGE" sign "${opts[@]}" --vector-to-sign payload --out vec &&
"$OTA_SIGN" --key file:k.pem --in vec --out sig 2>/dev/null &&
"$OTA_IMAGE" sign "${opts[@]}" --fix-sig sig --fix-sig-pubkey k.pub.pem --out raw.slot &&
base64 sig > sig.b64 &&
"$OTA_IMAGE" sign "${opts[@]}" --fix-sig sig.b64 --fix-sig-pubkey k.pub.pem --out b64.slot &&
"$OTA_IMAGE" sign "${opts[@]}" --vector-to-sign digest --out digest.vec &&
"$OTA_SIGN" --key file:e.pem --in digest.vec --out e.sig 2>/dev/null &&
"$OTA_IMAGE" sign "${opts[@]}" --fix-sig e.sig --fix-sig-pubkey e.pub.pem --out ed.slot &&
"$OTA_IMAGE" sign "${opts[@]}" --key file:e.pem --out direct.slot 2>/dev/null || exit
cmp -s ed.slot direct.slot || echo "the offline Ed25519 image differs from the directly signed one" >&2
[ "$(stat -c %s digest.vec)" = 32 ] || echo "the digest vector is not 32 bytes" >&2
"$OTA_IMAGE" verify raw.slot --trust k.pub.pem --json > raw.json &&
"$OTA_IMAGE" verify b64.slot --trust k.pub.pem --json > b64.json &&
"$OTA_IMAGE" verify ed.slot --trust e.pub.pem --json > ed.json || exit
jq -s . raw.json b64.json ed.json
