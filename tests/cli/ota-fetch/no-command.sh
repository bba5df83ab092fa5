"$OTA_FETCH" --metadata-dir md
