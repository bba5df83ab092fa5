#!/usr/bin/env bash
# EXAMPLE MATERIAL — NEVER FOR PRODUCTION.
# keys-example/softhsm-token.sh DIR [OTA_KEYS]
#
# Creates a throwaway SoftHSM2 token in DIR (never in /var/lib/softhsm): DIR/softhsm2.conf,
# DIR/tokens/, the token "ota-example" with the example PINs below, DIR/user.pin (0600),
# and — when the ota-keys binary is given — one signing key per role, made by ota-keys
# with its signing-only template. Prints the environment to use it:
#   eval "$(keys-example/softhsm-token.sh /tmp/hsm build/release/tools/ota-keys/ota-keys)"
# Removing DIR removes the token. The PINs are published here on purpose: anything
# signed with this token is worthless outside a demo or a test.
set -euo pipefail

dir=${1:?usage: keys-example/softhsm-token.sh DIR [OTA_KEYS]}
ota_keys=${2:-}
label=${OTA_EXAMPLE_TOKEN:-ota-example}
so_pin=87654321   # example security-officer PIN
user_pin=246810   # example user PIN

command -v softhsm2-util >/dev/null || { echo "softhsm-token.sh: softhsm2-util missing (apt-get install softhsm2)" >&2; exit 1; }
[[ -e $dir/softhsm2.conf ]] && { echo "softhsm-token.sh: '$dir' already holds a token; remove it first" >&2; exit 1; }
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
chmod 700 "$dir"
cat > "$dir/softhsm2.conf" <<CONF
# EXAMPLE token for ota-toolchain demos and tests: never for production.
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
(umask 077; printf '%s\n' "$user_pin" > "$dir/user.pin")
export SOFTHSM2_CONF=$dir/softhsm2.conf
softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$user_pin" >/dev/null

# One key per role (shared/SECURITY-CHECKLIST.md: one key serves one role only).
# ECDSA P-256 is the default for TUF/Uptane roles; the timestamp key shows Ed25519.
if [[ -n $ota_keys ]]; then
  for spec in root-1:ecdsa-p256 targets-1:ecdsa-p256 snapshot-1:ecdsa-p256 \
              timestamp-1:ed25519 director-1:ecdsa-p256; do
    name=${spec%%:*} algo=${spec#*:}
    "$ota_keys" generate --algo "$algo" \
      --key "pkcs11:token=$label;object=$name?pin-source=file:$dir/user.pin" >/dev/null 2>&1 ||
      { echo "softhsm-token.sh: ota-keys could not generate '$name'" >&2; exit 1; }
  done
fi
echo "export SOFTHSM2_CONF='$dir/softhsm2.conf'"
echo "export OTA_EXAMPLE_PIN_SOURCE='file:$dir/user.pin'"
echo "export OTA_EXAMPLE_TOKEN='$label'"
