# A firmware that hangs: three watchdog resets spend the three trial boots, then the
# bootloader rolls back by itself; the expected ending was an update, so exit 1.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --health hang --json
