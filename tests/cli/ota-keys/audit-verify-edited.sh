"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
printf "a" > a; printf "b" > b; printf "c" > c; printf "d" > d
for f in a b c d; do "$OTA_SIGN" --key file:k.pem --in $f --out $f.sig --audit-log audit.log 2>/dev/null || exit 9; done
sed -i '2s/"role":null/"role":"root"/' audit.log
"$OTA_KEYS" audit verify audit.log
