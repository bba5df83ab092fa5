. "$(dirname "$0")/../keys_setup.sh"; make_token
printf "payload" > data
OTA_PKCS11_PIN=246810 "$OTA_SIGN" --key "pkcs11:token=ota-example;object=nope" --in data --out data.sig
rc=$?; [ ! -e data.sig ] || echo "data.sig was written" >&2; exit $rc
