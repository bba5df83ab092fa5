# A patch changed on the server after signing: its chunk never matches the signed hash,
# nothing of it reaches the flash, the device keeps running v1.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
patch=$(ls repo/targets/fw/*board-1.1.0.slot.from-1.0.0.patch)
printf '\x00' | dd of="$patch" bs=1 seek=40 conv=notrunc 2>/dev/null
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json
