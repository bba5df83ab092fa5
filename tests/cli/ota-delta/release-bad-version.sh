mkdir in
"$MAKE_PAIR" random 100 1 in/a in/b >/dev/null
"$OTA_DELTA" release --to in/b --from ../1=in/a --out-dir r
rc=$?
test ! -e r || echo "r was created" >&2
exit $rc
