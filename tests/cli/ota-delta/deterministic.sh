"$MAKE_PAIR" structured 200000 1 old new
"$OTA_DELTA" create --from old --to new --out p1 2>/dev/null
"$OTA_DELTA" create --from old --to new --out p2 2>/dev/null
cmp p1 p2 && echo same >&2
