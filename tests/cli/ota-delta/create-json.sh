"$MAKE_PAIR" structured 100000 1 old new
"$OTA_DELTA" create --from old --to new --out p --json
