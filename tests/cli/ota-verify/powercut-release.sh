# A real release (v1 -> v2 through its patch, 256-byte pages): every flash operation of the
# update and of the rollback, cut in every mode.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" powercut "${e2e_args[@]}" --jobs 2 --json
