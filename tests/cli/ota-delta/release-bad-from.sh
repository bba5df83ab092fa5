"$OTA_DELTA" release --to b --from in/a --out-dir r
