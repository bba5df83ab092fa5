"$OTA_DELTA" apply --from absent --patch p --out result --json
