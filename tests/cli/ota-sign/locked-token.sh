printf "payload" > data
FAKE_PKCS11_MODE=locked OTA_PKCS11_PIN=1234 "$OTA_SIGN" --module "$FAKE_PKCS11" --key "pkcs11:token=fake-token;object=k" --in data --out data.sig 2>err
rc=$?; sed "s|$FAKE_PKCS11|FAKE|" err >&2; [ ! -e data.sig ] || echo "data.sig was written" >&2; exit $rc
