"$OTA_KEYS" generate --algo ecdsa-p256 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf "payload" > data
"$OTA_SIGN" --key file:k.pem --in data --out data.sig 2>/dev/null
printf "Payload" > data
"$OTA_SIGN" verify --pub k.pub.pem --in data --sig data.sig 2>err
rc=$?; sed -E "s/key [0-9a-f]{12}/key K/" err >&2; exit $rc
