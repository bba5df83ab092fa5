# A file that is not an MCUboot image: INVALID_MAGIC (exit 1).
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
{ printf 'XXXX'; head -c 4092 /dev/urandom; } > random.bin
"$OTA_IMAGE" verify random.bin --trust k.pub.pem
