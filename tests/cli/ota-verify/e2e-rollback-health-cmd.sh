# v3 fails its own self-test: the health command runs the payload, the slot is marked bad,
# the next reset boots v1 again.
source "$(dirname "$0")/../verify_setup.sh"
make_release && make_director fw/board-1.2.0.slot || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --health-cmd 'sh "$1"' --expect rolled-back --json
