printf "\326\303\304\000rest" > p; : > old
"$OTA_DELTA" apply --from old --patch p --out result
