"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
printf "payload" > data
OTA_AUDIT_LOG=no-dir/audit.log "$OTA_SIGN" --key file:k.pem --in data --out data.sig
rc=$?; [ ! -e data.sig ] || echo "data.sig was written" >&2; exit $rc
