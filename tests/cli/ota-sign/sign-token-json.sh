. "$(dirname "$0")/../keys_setup.sh"; make_token
printf "payload" > data
"$OTA_SIGN" --key "pkcs11:token=ota-example;object=targets-1$PIN_SOURCE" --role targets --in data --out data.sig --audit-log audit.log --json
"$OTA_SIGN" verify --pub "pkcs11:token=ota-example;object=targets-1" --in data --sig data.sig 2>/dev/null
