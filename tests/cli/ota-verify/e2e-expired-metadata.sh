# Freeze: a year later the (unrenewed) timestamp has expired; the device refuses to act on it.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
faketime -f '+400d' "$OTA_VERIFY" e2e "${e2e_args[@]}" --json
