mkdir in r
"$MAKE_PAIR" random 100 1 in/a in/b >/dev/null
echo old > r/stale.patch
"$OTA_DELTA" release --to in/b --from 1=in/a --out-dir r
rc=$?
[ "$(ls r)" = stale.patch ] || echo "r changed" >&2
exit $rc
