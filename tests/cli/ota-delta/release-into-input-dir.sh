# The inputs' own directory is never a release directory.
"$MAKE_PAIR" random 100 3 x y >/dev/null
"$OTA_DELTA" release --to y --from 1=x --out-dir .
rc=$?
[ "$(ls | tr '\n' ' ')" = "stderr stdout x y " ] || echo "files changed: $(ls)" >&2
exit $rc
