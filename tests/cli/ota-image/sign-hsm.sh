# The key on a SoftHSM2 token (pkcs11: URI, PIN from pin-source); verified with the public
# key ota-keys exports from the token.
. "$(dirname "$0")/../keys_setup.sh"; make_token
printf 'firmware 2.0.0\n' > fw.bin
"$OTA_IMAGE" sign --key "pkcs11:token=ota-example;object=targets-1$PIN_SOURCE" --in fw.bin --out fw.slot \
  --version 2.0.0 --hw-id tcu-revA --security-counter 2 --audit-log audit.log &&
"$OTA_KEYS" public --key "pkcs11:token=ota-example;object=targets-1" --format pem > targets.pub.pem &&
"$OTA_IMAGE" verify fw.slot --trust targets.pub.pem --hw-id tcu-revA --json &&
[ "$(wc -l < audit.log)" = 1 ] || { echo "audit.log does not hold one record" >&2; exit 1; }
