"$OTA_DELTA" create --algo lzma --from a --to b --out p
