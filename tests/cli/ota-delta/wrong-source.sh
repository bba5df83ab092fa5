"$MAKE_PAIR" structured 20000 1 old new
"$OTA_DELTA" create --from old --to new --out p 2>/dev/null
"$OTA_DELTA" apply --from new --patch p --out result; rc=$?
[ -e result ] && echo "output left behind" >&2
exit $rc
