"$OTA_DELTA" --version >&2
