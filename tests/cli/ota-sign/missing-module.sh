printf "payload" > data
"$OTA_SIGN" --module /opt/hsm/libvendor.so --key "pkcs11:token=t;object=k" --in data --out data.sig
