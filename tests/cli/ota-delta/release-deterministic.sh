# Same inputs, any --jobs: byte-identical release directories.
mkdir in
"$MAKE_PAIR" structured 150000 2 in/a in/b >/dev/null
"$MAKE_PAIR" structured 150000 3 in/c in/d >/dev/null
"$OTA_DELTA" release --to in/b --from 1=in/a --from 2=in/c --from 3=in/d --out-dir r1 --jobs 1 2>/dev/null
"$OTA_DELTA" release --to in/b --from 1=in/a --from 2=in/c --from 3=in/d --out-dir r2 --jobs 3 2>/dev/null
diff -r r1 r2 >&2 && echo same >&2
