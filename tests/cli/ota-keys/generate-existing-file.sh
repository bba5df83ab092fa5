"$OTA_KEYS" generate --algo ed25519 --key file:dev.pem 2>/dev/null
cp dev.pem before.pem
"$OTA_KEYS" generate --algo ecdsa-p256 --key file:dev.pem
rc=$?; cmp -s dev.pem before.pem || echo "dev.pem changed" >&2; exit $rc
