# The release end to end: v1 -> v2 by a patch, trial boot, health check, confirm.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json
