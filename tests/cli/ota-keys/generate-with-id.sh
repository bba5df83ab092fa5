. "$(dirname "$0")/../keys_setup.sh"; make_token
OTA_PKCS11_PIN=246810 "$OTA_KEYS" generate --algo ed25519 --key "pkcs11:token=ota-example;object=new;id=%01"
