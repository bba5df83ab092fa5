# Rollback of metadata: the device saw director timestamp v3; an old copy (v2) served later is refused.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
cp -r director director-old
"$OTA_MANIFEST" timestamp --repo director 2>/dev/null || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --state state 2>/dev/null || exit 98
rm -rf director && mv director-old director
"$OTA_VERIFY" e2e "${e2e_args[@]}" --state state --json
