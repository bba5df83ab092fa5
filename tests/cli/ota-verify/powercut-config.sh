# One configuration of the T2 matrix, both scenarios: every cut point passes, and the
# counts are printed.
"$OTA_VERIFY" powercut --config internal-spi/ws8/00 --jobs 2 --json
