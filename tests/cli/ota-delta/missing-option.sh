"$OTA_DELTA" create --from a --out p
