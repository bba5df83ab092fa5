openssl genpkey -algorithm ed25519 -pass pass:example -aes-256-cbc -out k.pem 2>/dev/null
printf "payload" > data
"$OTA_SIGN" --key file:k.pem --in data --out data.sig
