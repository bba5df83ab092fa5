printf "PK\003\004junk" > p; : > old
"$OTA_DELTA" apply --from old --patch p --out result
