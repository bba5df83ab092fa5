"$OTA_DELTA" create --help | grep -q "^  ota-delta create " && "$OTA_DELTA" --help | grep -q "Exit codes"
