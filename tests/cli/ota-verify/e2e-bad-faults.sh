source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --faults drop=1.5
