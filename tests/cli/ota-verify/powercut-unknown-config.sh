"$OTA_VERIFY" powercut --config uniform-4k/ws3/ff
