"$MAKE_PAIR" structured 20000 1 old new
"$OTA_DELTA" create --algo bsdiff --no-trailer --from old --to new --out p 2>/dev/null
head -c 100 p > cut
"$OTA_DELTA" apply --from old --patch cut --out result; rc=$?
[ -e result ] && echo "output left behind" >&2
exit $rc
