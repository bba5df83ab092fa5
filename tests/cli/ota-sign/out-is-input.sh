"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
printf "payload" > data
"$OTA_SIGN" --key file:k.pem --in data --out data
