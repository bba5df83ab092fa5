. "$(dirname "$0")/../keys_setup.sh"; make_token
"$OTA_KEYS" public --key "pkcs11:token=ota-example;object=timestamp-1" --format pem > ts.pem &&
openssl pkey -pubin -in ts.pem -noout -text | grep -q ED25519 &&
"$OTA_KEYS" public --key "pkcs11:token=ota-example;object=timestamp-1" --json
