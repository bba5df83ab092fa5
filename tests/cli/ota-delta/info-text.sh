"$MAKE_PAIR" structured 50000 1 old new
"$OTA_DELTA" create --algo bsdiff --from old --to new --out p 2>/dev/null
"$OTA_DELTA" info p | sed -E "s/[0-9a-f]{64}/HASH/" | grep -E "^(format|source|target):" >&2
