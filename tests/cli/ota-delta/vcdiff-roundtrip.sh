# --algo vcdiff: xdelta3 applies our patch (the ota trailer rides in the application
# header, which xdelta3 ignores); ota-delta applies it and verifies both digests; info
# names the format; ota-delta applies what xdelta3 writes with its defaults (LZMA).
"$MAKE_PAIR" structured 200000 3 old new
"$OTA_DELTA" create --algo vcdiff --from old --to new --out p.vcdiff --json > made.json
xdelta3 -d -f -s old p.vcdiff by-xdelta3 && cmp by-xdelta3 new || { echo "xdelta3 did not rebuild new" >&2; exit 1; }
"$OTA_DELTA" apply --from old --patch p.vcdiff --out by-us --json > applied.json
cmp by-us new && jq -e '.verified == true and .algorithm == "vcdiff"' applied.json > /dev/null || exit 1
"$OTA_DELTA" info p.vcdiff --json | jq -e '.algorithm == "vcdiff" and .trailer != null and .vcdiff.adler32' > /dev/null || exit 1
xdelta3 -e -f -s old new theirs.vcdiff
"$OTA_DELTA" apply --from old --patch theirs.vcdiff --out from-theirs 2>/dev/null && cmp from-theirs new || exit 1
printf 'x' > other
"$OTA_DELTA" apply --from other --patch p.vcdiff --out wrong
