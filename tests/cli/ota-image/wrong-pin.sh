# The token key with a wrong PIN in its pin-source file: HSM error (exit 5), no image, no
# audit record, and the PIN appears nowhere in the output.
. "$(dirname "$0")/../keys_setup.sh"; make_token
printf '135790\n' > wrong.pin
printf 'firmware\n' > fw.bin
"$OTA_IMAGE" sign --key "pkcs11:token=ota-example;object=targets-1?pin-source=file:wrong.pin" --in fw.bin \
  --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1 --audit-log audit.log --json > out.json
rc=$?
[ ! -e fw.slot ] || echo "fw.slot was written" >&2
[ ! -s audit.log ] || echo "audit.log has a record" >&2
! grep -q 135790 out.json || echo "the PIN is in the JSON error" >&2
jq -e '.error.exit_code == 5' out.json >/dev/null || echo "no JSON error document" >&2
exit $rc
