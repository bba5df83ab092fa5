#!/usr/bin/env bash
# roundtrip.sh OTA_DELTA MAKE_PAIR: a 144 MiB pair (above the 128 MiB threshold, so the
# segmented matcher runs) round-trips through `--algo ota` with ota-delta and through
# `--algo bsdiff` with the real bspatch; the patches are deterministic and small.
# Registered for the sanitizer-free build only (tests/CMakeLists.txt).
set -euo pipefail
OTA_DELTA=$1 MAKE_PAIR=$2
work=$(mktemp -d /tmp/ota-large.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
size=$((144 << 20))
"$MAKE_PAIR" structured "$size" 42 old new
[ "$(stat -c %s old)" -ge $((128 << 20)) ] || fail "the pair is below the segmented threshold"

"$OTA_DELTA" create --algo ota --from old --to new --out p.otad --json >create.json
"$OTA_DELTA" apply --from old --patch p.otad --out out --json >apply.json
cmp out new || fail "ota: the output differs from the target"
jq -e '.verified == true' apply.json >/dev/null || fail "ota: apply did not verify"
patch_size=$(stat -c %s p.otad)
[ "$patch_size" -lt $((size / 20)) ] || fail "ota: patch of $patch_size bytes is over 5 % of the target"
"$OTA_DELTA" create --algo ota --from old --to new --out p2.otad 2>/dev/null
cmp p.otad p2.otad || fail "ota: two runs gave different patches"

"$OTA_DELTA" create --algo bsdiff --no-trailer --from old --to new --out p.bsdiff 2>/dev/null
bspatch old out2 p.bsdiff
cmp out2 new || fail "bsdiff: bspatch's output differs from the target"
echo "large round trips: ota $patch_size bytes, bsdiff $(stat -c %s p.bsdiff) bytes for $size"
echo "4 passed, 0 failed"
