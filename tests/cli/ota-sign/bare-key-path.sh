printf "payload" > data
"$OTA_SIGN" --key dev.pem --in data --out data.sig
