. "$(dirname "$0")/../keys_setup.sh"; make_token
"$OTA_KEYS" generate --algo ed25519 --key "pkcs11:token=ota-example;object=root-1$PIN_SOURCE"
