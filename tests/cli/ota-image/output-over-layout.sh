# --out naming the layout (or a --trust key file) is refused before anything is read or
# written, and the layout is left as it was.
cp "$OTA_EXAMPLES/mcu-1mib.layout.yaml" L.yaml
"$OTA_KEYS" generate --algo ed25519 --key file:k.pem 2>/dev/null
printf 'firmware\n' > fw.bin
"$OTA_IMAGE" sign --key file:k.pem --in fw.bin --version 1.0.0 --hw-id tcu-mcu-revA --security-counter 1 \
  --layout L.yaml --slot a --out L.yaml
rc=$?
cmp -s L.yaml "$OTA_EXAMPLES/mcu-1mib.layout.yaml" || echo "the layout was changed" >&2
"$OTA_IMAGE" build --layout L.yaml --trust file:k.pem --slot-a fw.bin --out k.pem 2>&1 | sed 's/^/build: /' >&2
exit $rc
