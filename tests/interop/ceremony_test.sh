#!/usr/bin/env bash
# keys-example/ceremony.sh runs end to end on SoftHSM2 tokens (docs/ceremonies.md), and its
# result is what the ceremony promises: root v3 trusted from root v1, the revoked timestamp
# key gone, every signature in the audit log.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/ota-ceremony.XXXXXX)
trap 'rm -rf "$work"' EXIT
bindir=$(dirname "$(dirname "$OTA_KEYS")")
out=$(bash "$KEYS_EXAMPLE/ceremony.sh" "$work/c" "$bindir" 2>"$work/log") || { cat "$work/log" >&2; fail "ceremony.sh failed"; }
jq -e '.verified and .versions.root == 3 and .target.name == "ecu/fw.bin"' <<<"$out" >/dev/null || fail "unexpected result: $out"
root3=$work/c/repo/metadata/3.root.json
ts_keys=$(jq -r '.signed.roles.timestamp.keyids | length' "$root3")
[ "$ts_keys" = 1 ] || fail "root 3 lists $ts_keys timestamp keys"
old_ts=$(jq -r '.signed.roles.timestamp.keyids[0]' "$work/c/repo/metadata/1.root.json")
jq -e --arg k "$old_ts" '.signed.roles.timestamp.keyids | index($k) | not' "$root3" >/dev/null || fail "the revoked key is still in root 3"
[ "$(jq -r '.signatures | length' "$work/c/repo/metadata/2.root.json")" = 3 ] || fail "root 2 is not signed by A, B and C"
grep -q "records, chain intact" "$work/log" || fail "audit log not verified"
records=$(wc -l < "$work/c/ceremony-audit.log")
[ "$records" -ge 10 ] || fail "only $records audit records"
echo "ceremony: root v1 -> v3, holder replaced, timestamp key revoked, $records signatures audited"
