"$MAKE_PAIR" random 100 1 old new
mkdir dir
"$OTA_DELTA" create --from old --to new --out dir
