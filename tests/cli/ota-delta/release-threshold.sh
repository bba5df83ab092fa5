# --threshold 0.0001: no delta is small enough, every source gets the full image.
mkdir in
"$MAKE_PAIR" structured 100000 4 in/a in/b >/dev/null
"$OTA_DELTA" release --to in/b --from 1=in/a --out-dir r --threshold 0.0001 --fast --json
