#!/usr/bin/env bash
# ota-delta <-> the zstd CLI's --patch-from, both ways, at every size and with --long.
source "$(dirname "$0")/lib.sh"
command -v zstd >/dev/null || fail "zstd not installed (apt-get install zstd)"

for p in $(pairs); do
  make_pair "$p"
  "$OTA_DELTA" create --algo zstd --from "$p.old" --to "$p.new" --out "$p.ours" 2>/dev/null
  zstd -q -d -f --patch-from="$p.old" "$p.ours" -o "$p.by-zstd"
  same "$p.by-zstd" "$p.new" "zstd -d --patch-from applying our patch ($p)"
  # zstd 1.5.4 asserts (FIO_highbit64) when --patch-from compresses an empty file.
  [ -s "$p.new" ] || { rm -f "$p".*; continue; }
  for opts in "-19" "-3 --long=27" "--ultra -22 --long=31"; do
    # shellcheck disable=SC2086  # word splitting of the option set is intended
    zstd -q -f $opts --patch-from="$p.old" "$p.new" -o "$p.cli"
    "$OTA_DELTA" apply --from "$p.old" --patch "$p.cli" --out "$p.by-ours" 2>/dev/null
    same "$p.by-ours" "$p.new" "ota-delta applying zstd $opts --patch-from ($p)"
  done
  rm -f "$p".*
done
echo "$checks passed, 0 failed"
