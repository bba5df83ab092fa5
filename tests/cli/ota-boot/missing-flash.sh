# No such flash file: exit 4.
"$OTA_BOOT" --flash absent.img
