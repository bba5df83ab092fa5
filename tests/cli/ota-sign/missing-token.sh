. "$(dirname "$0")/../keys_setup.sh"; make_token
printf "payload" > data
OTA_PKCS11_PIN=246810 "$OTA_SIGN" --module /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so --key "pkcs11:token=fleet-root;object=root-1" --in data --out data.sig 2>err
rc=$?; sed -E "s/serial [0-9a-f]+/serial S/" err >&2; [ ! -e data.sig ] || echo "data.sig was written" >&2; exit $rc
