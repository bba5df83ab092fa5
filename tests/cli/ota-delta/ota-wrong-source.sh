# An ota patch applied to another file: refused as the wrong source (exit 3), nothing written.
"$MAKE_PAIR" structured 20000 1 old new
"$OTA_DELTA" create --algo ota --from old --to new --out p 2>/dev/null
"$OTA_DELTA" apply --from new --patch p --out result; rc=$?
[ -e result ] && echo "output left behind" >&2
exit $rc
