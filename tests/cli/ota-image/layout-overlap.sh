# A layout whose slot_b starts inside slot_a: build refuses it (exit 2), no flash image.
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
"$OTA_KEYS" public --key file:k.pem --format pem > k.pub.pem
printf 'firmware 1.0.0\n' > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --out fw.slot --version 1.0.0 --hw-id tiny-revA --security-counter 1 2>/dev/null
cat > bad.layout.yaml <<'YAML'
device: {name: tiny, hardware_id: tiny-revA, size: 128KiB, sector_size: 4KiB, write_size: 8, erased: 0xff}
regions:
  - {name: bootloader, offset: 0x0, size: 8KiB}
  - {name: rot, offset: 0x2000, size: 4KiB}
  - {name: bcr0, offset: 0x3000, size: 4KiB}
  - {name: bcr1, offset: 0x4000, size: 4KiB}
  - {name: slot_a, offset: 0x8000, size: 0xc000}
  - {name: slot_b, offset: 0x10000, size: 0xc000}
YAML
"$OTA_IMAGE" build --layout bad.layout.yaml --trust k.pub.pem --slot-a fw.slot --out flash.img
rc=$?; [ ! -e flash.img ] || echo "flash.img was written" >&2; exit $rc
