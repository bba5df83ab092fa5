#!/usr/bin/env bash
# ota-delta <-> Debian bsdiff/bspatch 4.3, both ways, at every size.
source "$(dirname "$0")/lib.sh"
command -v bsdiff >/dev/null && command -v bspatch >/dev/null || fail "bsdiff/bspatch not installed (apt-get install bsdiff)"

for p in $(pairs); do
  make_pair "$p"
  # ours -> bspatch (with our verification trailer, which bspatch must ignore)
  "$OTA_DELTA" create --algo bsdiff --from "$p.old" --to "$p.new" --out "$p.ours" 2>/dev/null
  bspatch "$p.old" "$p.by-bspatch" "$p.ours"
  same "$p.by-bspatch" "$p.new" "bspatch applying our patch ($p)"
  if [ -s "$p.old" ] && [ -s "$p.new" ]; then  # Debian bsdiff mmap()s its inputs: no empty files
    bsdiff "$p.old" "$p.new" "$p.deb"
    "$OTA_DELTA" apply --from "$p.old" --patch "$p.deb" --out "$p.by-ours" 2>/dev/null
    same "$p.by-ours" "$p.new" "ota-delta applying Debian bsdiff's patch ($p)"
    # Same matching, same bzip2 settings: without the trailer the bytes are Debian's.
    "$OTA_DELTA" create --algo bsdiff --no-trailer --from "$p.old" --to "$p.new" --out "$p.plain" 2>/dev/null
    same "$p.plain" "$p.deb" "our --no-trailer BSDIFF40 vs Debian bsdiff ($p)"
  fi
  rm -f "$p".*
done
echo "$checks passed, 0 failed"
