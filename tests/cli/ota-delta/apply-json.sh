"$MAKE_PAIR" structured 50000 1 old new
"$OTA_DELTA" create --algo zstd --from old --to new --out p 2>/dev/null
"$OTA_DELTA" apply --from old --patch p --out result --json && cmp result new
