# An image signed by a key the bootloader does not trust, published and assigned properly:
# the agent's read-back check (the bootloader's own) refuses it and marks slot B FAILED.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
"$OTA_KEYS" generate --algo ed25519 --key file:keys/rogue.pem 2>/dev/null
"$OTA_IMAGE" sign --key file:keys/rogue.pem --in fw-1.1.0.sh --out rogue.slot --version 1.1.0 \
  --security-counter auto --hw-id test-board --vendor example.com 2>/dev/null
"$OTA_MANIFEST" add --repo repo --file rogue.slot --name fw/rogue.slot --version 1.1.0 --hardware-id test-board \
  --chunk-size 4096 2>/dev/null && "$OTA_MANIFEST" publish --repo repo 2>/dev/null && make_director fw/rogue.slot || exit 99
"$OTA_VERIFY" e2e "${e2e_args[@]}" --json || code=$?
"$OTA_IMAGE" info flash.img --json | jq -c '.bcr.record.slots[1] | {state, reason}' >&2
exit ${code:-0}
