# A source that cannot be read: nothing is written, not even the directory's files.
mkdir in
"$MAKE_PAIR" random 1000 1 in/a in/b >/dev/null
"$OTA_DELTA" release --to in/b --from 1=in/a --from 2=in/absent --out-dir r
rc=$?
[ -z "$(ls r 2>/dev/null)" ] || echo "files left: $(ls r)" >&2
exit $rc
