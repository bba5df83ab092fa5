# Dropped connections, stalls, flipped bytes and short answers on both links, full image in
# 4 KiB chunks: every fault costs a retry, none reaches the flash, the update lands.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --full --faults seed=5,drop=0.15,stall=0.05,corrupt=0.1,truncate=0.15 --json
