# The flash file keeps the device's state: a second run finds v2 confirmed and installs nothing.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" 2>/dev/null || exit 98
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json
