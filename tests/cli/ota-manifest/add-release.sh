. "$(dirname "$0")/../manifest_setup.sh"; make_repo
mkdir -p build old
head -c 150000 /dev/urandom > old/a-1.bin; cp old/a-1.bin build/a-2.bin; printf 'v2' >> build/a-2.bin
printf 'ecu b image' > build/b-2.bin
"$OTA_DELTA" create --from old/a-1.bin --to build/a-2.bin --out build/a-1-2.patch 2>/dev/null
cat > build/release.yaml <<YAML
version: "2.0"
priority: security
release_counter: 7
targets:
  - {name: ecu-a/app.bin, file: a-2.bin, hardware_ids: [hw-a], deltas: {"1.0": a-1-2.patch}}
  - {name: ecu-b/app.bin, file: b-2.bin, hardware_ids: [hw-b, hw-b2], priority: feature, chunk_size: 4096}
YAML
"$OTA_MANIFEST" add --repo repo --release build/release.yaml --jobs 2 --json
"$OTA_MANIFEST" publish --repo repo 2>/dev/null >/dev/null
"$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json --target ecu-a/app.bin.from-1.0.patch \
  --out got.patch 2>/dev/null >/dev/null
cmp got.patch build/a-1-2.patch
