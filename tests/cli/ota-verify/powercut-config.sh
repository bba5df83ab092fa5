# One configuration of the T2 matrix, both scenarios: every cut point passes, and the
# counts are printed.
"$OTA_VERIFY" powercut --config uniform-4k-3bcr/ws8/00 --jobs 2 --json
