"$MAKE_PAIR" random 100 1 old new
"$OTA_DELTA" create --from old --to new --out old
