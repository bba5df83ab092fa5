"$OTA_KEYS" generate --algo ed25519 --key file:dev.pem --json && [ "$(stat -c %a dev.pem)" = 600 ]
