#!/usr/bin/env bash
# EXAMPLE MATERIAL — NEVER FOR PRODUCTION (the PINs below are published on purpose).
# keys-example/ceremony.sh WORKDIR BINDIR
#
# The key ceremonies of docs/ceremonies.md, end to end and non-interactive, on SoftHSM2
# tokens standing in for HSMs held by different people:
#   root-a, root-b  offline root key holders (root threshold 2 of 2)
#   release         the offline targets key
#   online          snapshot and timestamp keys of the publishing service
# 1. create the repository; 2. publish a release; 3. replace root holder B by holder C
# (root v2 signed by A+B and by A+C); 4. revoke a compromised timestamp key (root v3);
# 5. check the chain from root v1 as a device would, and the signing audit log.
# BINDIR holds ota-keys, ota-manifest (e.g. build/release/tools/*/).
set -euo pipefail
work=${1:?usage: ceremony.sh WORKDIR BINDIR}
bin=${2:?usage: ceremony.sh WORKDIR BINDIR}
keys=$(find "$bin" -name ota-keys -type f | head -1)
manifest=$(find "$bin" -name ota-manifest -type f | head -1)
[ -x "$keys" ] && [ -x "$manifest" ] || { echo "ceremony.sh: ota-keys/ota-manifest not found under $bin" >&2; exit 2; }
[ ! -e "$work" ] || { echo "ceremony.sh: '$work' exists; give a new directory" >&2; exit 2; }
mkdir -p "$work/tokens"; work=$(cd "$work" && pwd); chmod 700 "$work"
step() { echo "== $*" >&2; }

cat > "$work/softhsm2.conf" <<CONF
directories.tokendir = $work/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF=$work/softhsm2.conf
export OTA_AUDIT_LOG=$work/ceremony-audit.log
so_pin=87654321 user_pin=246810                  # example PINs
(umask 077; printf '%s\n' "$user_pin" > "$work/user.pin")
pin="?pin-source=file:$work/user.pin"
for token in root-a root-b root-c release online; do
  softhsm2-util --init-token --free --label "$token" --so-pin "$so_pin" --pin "$user_pin" >/dev/null
done
key() { echo "pkcs11:token=$1;object=$2$pin"; }

step "1. keys: each holder generates a signing-only key in their own token"
"$keys" generate --algo ecdsa-p256 --key "$(key root-a root-a-1)" >/dev/null
"$keys" generate --algo ecdsa-p256 --key "$(key root-b root-b-1)" >/dev/null
"$keys" generate --algo ecdsa-p256 --key "$(key release targets-1)" >/dev/null
"$keys" generate --algo ecdsa-p256 --key "$(key online snapshot-1)" >/dev/null
"$keys" generate --algo ed25519 --key "$(key online timestamp-1)" >/dev/null
config() {  # config FILE ROOT_KEY_1 ROOT_KEY_2 TIMESTAMP_OBJECT
  cat > "$1" <<YAML
roles:
  root: {keys: ["$2", "$3"], threshold: 2, expires_days: 365}
  targets: {keys: ["$(key release targets-1)"], threshold: 1, expires_days: 90}
  snapshot: {keys: ["$(key online snapshot-1)"], expires_days: 7}
  timestamp: {keys: ["$(key online "$4")"], expires_days: 1}
YAML
}
config "$work/repo-v1.yaml" "$(key root-a root-a-1)" "$(key root-b root-b-1)" timestamp-1
"$manifest" init --config "$work/repo-v1.yaml" --repo "$work/repo" >/dev/null
cp "$work/repo/metadata/1.root.json" "$work/device-root.json"   # what devices are built with

step "2. release: stage and publish firmware 1.0"
printf 'example firmware 1.0\n' > "$work/fw-1.0.bin"
"$manifest" add --repo "$work/repo" --file "$work/fw-1.0.bin" --name ecu/fw.bin --version 1.0 --hardware-id ecu-a >/dev/null
"$manifest" publish --repo "$work/repo" >/dev/null
"$manifest" verify --repo "$work/repo" --trusted-root "$work/device-root.json" --state "$work/device" --target ecu/fw.bin >/dev/null

step "3. root holder B leaves: C joins; root v2 needs A+B (old) and A+C (new)"
"$keys" generate --algo ecdsa-p256 --key "$(key root-c root-c-1)" >/dev/null
config "$work/repo-v2.yaml" "$(key root-a root-a-1)" "$(key root-c root-c-1)" timestamp-1
"$manifest" root --repo "$work/repo" --config "$work/repo-v2.yaml" --dry-run >&2
"$manifest" root --repo "$work/repo" --config "$work/repo-v2.yaml" >/dev/null
"$manifest" publish --repo "$work/repo" >/dev/null

step "4. the timestamp key is compromised: revoke it in root v3 (A+C sign), publish with a new one"
"$keys" generate --algo ed25519 --key "$(key online timestamp-2)" >/dev/null
config "$work/repo-v3.yaml" "$(key root-a root-a-1)" "$(key root-c root-c-1)" timestamp-2
"$manifest" root --repo "$work/repo" --config "$work/repo-v3.yaml" >/dev/null
"$manifest" publish --repo "$work/repo" >/dev/null

step "5. a device that trusts root v1 follows the chain; the audit log is intact"
"$manifest" verify --repo "$work/repo" --trusted-root "$work/device-root.json" --state "$work/device" \
  --target ecu/fw.bin --json
"$keys" audit verify "$OTA_AUDIT_LOG" >&2
