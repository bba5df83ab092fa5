# A VCDIFF file whose header is damaged: detected as VCDIFF, refused as corrupt (exit 1).
printf "\326\303\304\000rest" > p; : > old
"$OTA_DELTA" apply --from old --patch p --out result
rc=$?; [ ! -e result ] || echo "result was written" >&2; exit $rc
