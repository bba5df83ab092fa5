# A truncated ota patch: one line naming the problem, exit 1, no output file.
"$MAKE_PAIR" structured 20000 1 old new
"$OTA_DELTA" create --algo ota --from old --to new --out p 2>/dev/null
head -c 200 p > cut
"$OTA_DELTA" apply --from old --patch cut --out result; rc=$?
[ -e result ] && echo "output left behind" >&2
exit $rc
