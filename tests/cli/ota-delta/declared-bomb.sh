# A BSDIFF40 header declaring a 1 TiB output, with empty streams.
printf "BSDIFF40\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000\000" > p; : > old
"$OTA_DELTA" apply --from old --patch p --out result --max-output 1G
