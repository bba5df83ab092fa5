# sign with neither --key nor --fix-sig: refused (exit 2), never an unsigned image.
printf 'firmware\n' > fw.bin
"$OTA_IMAGE" sign --in fw.bin --out fw.slot --version 1.0.0 --hw-id tcu-revA --security-counter 1
rc=$?; [ ! -e fw.slot ] || echo "fw.slot was written" >&2; exit $rc
