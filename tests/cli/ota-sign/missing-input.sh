"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_SIGN" --key file:k.pem --in absent.bin --out data.sig
