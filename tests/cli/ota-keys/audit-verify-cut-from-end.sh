"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
printf "a" > a; printf "b" > b; printf "c" > c; printf "d" > d
for f in a b c d; do "$OTA_SIGN" --key file:k.pem --in $f --out $f.sig --audit-log audit.log 2>/dev/null || exit 9; done
head=$("$OTA_KEYS" audit verify audit.log --json | jq -r .head_sha256)
sed -i '$d' audit.log
"$OTA_KEYS" audit verify audit.log 2>/dev/null || exit 9
"$OTA_KEYS" audit verify audit.log --expect-head "$head" 2>err
rc=$?; sed -E "s/[0-9a-f]{12}…/H…/g" err >&2; exit $rc
