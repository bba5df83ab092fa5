. "$(dirname "$0")/../keys_setup.sh"; make_token
OTA_PKCS11_PIN=246810 "$OTA_KEYS" list --token pkcs11:token=ota-example --json
