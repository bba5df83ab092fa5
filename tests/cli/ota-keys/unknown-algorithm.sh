"$OTA_KEYS" generate --algo rsa-2048 --key file:k.pem
