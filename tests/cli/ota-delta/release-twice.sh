mkdir in
"$MAKE_PAIR" random 100 1 in/a in/b >/dev/null
"$OTA_DELTA" release --to in/b --from 1=in/a --from 1=in/b --out-dir r
