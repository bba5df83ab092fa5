"$OTA_DELTA" create --from absent --to absent2 --out p
