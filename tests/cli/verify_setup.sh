# Sourced by tests/cli/ota-verify/*.sh: a complete small release in the current directory.
#   keys/            Ed25519 file keys: image repository roles, director roles, the image key
#   board.layout.yaml  512 KiB NOR, 4 KiB sectors, 256-byte pages, a scratch journal + staging
#   v1.slot v2.slot v3.slot  signed slot images of three "firmware" shell scripts (~40 KB);
#                    v3 fails its self-test (exit 1), v1 and v2 pass
#   repo/            the image repository: v2 and v3, each with an ota-delta patch from 1.0.0
#   director/        the director for vehicle VIN1: ECU-1 (board) gets v2 (make_director v3 to change)
#   flash.img        the factory flash: v1 in slot A
#   device.yaml      vin VIN1, ecu_serial ECU-1
make_release() {
  mkdir -p keys
  for k in root targets snapshot timestamp droot dtargets dsnapshot dtimestamp image; do
    "$OTA_KEYS" generate --algo ed25519 --key "file:keys/$k.pem" 2>/dev/null || return 1
  done
  "$OTA_KEYS" public --key file:keys/image.pem --format pem > keys/image.pub.pem 2>/dev/null
  cat > repo.yaml <<YAML
roles:
  root: {keys: [file:keys/root.pem], threshold: 1}
  targets: {keys: [file:keys/targets.pem], threshold: 1}
  snapshot: {keys: [file:keys/snapshot.pem]}
  timestamp: {keys: [file:keys/timestamp.pem]}
YAML
  cat > director.yaml <<YAML
roles:
  root: {keys: [file:keys/droot.pem], threshold: 1}
  targets: {keys: [file:keys/dtargets.pem], threshold: 1}
  snapshot: {keys: [file:keys/dsnapshot.pem]}
  timestamp: {keys: [file:keys/dtimestamp.pem]}
YAML
  cat > board.layout.yaml <<YAML
device: {name: test-board, hardware_id: test-board, vendor: example.com, size: 512KiB, sector_size: 4KiB,
         write_size: 8, page_size: 256, erased: 0xff}
regions:
  - {name: bootloader, offset: 0x0, size: 16KiB}
  - {name: rot, offset: 0x4000, size: 4KiB}
  - {name: bcr0, offset: 0x5000, size: 4KiB}
  - {name: bcr1, offset: 0x6000, size: 4KiB}
  - {name: scratch, offset: 0x7000, size: 0x19000}
  - {name: slot_a, offset: 0x20000, size: 192KiB}
  - {name: slot_b, offset: 0x50000, size: 192KiB}
YAML
  for v in 1.0.0 1.1.0 1.2.0; do
    status=0; [[ $v == 1.2.0 ]] && status=1
    { printf '#!/bin/sh\n# test firmware %s\necho "self-test %s"\nexit %s\n' "$v" "$v" "$status"
      # ~40 KB of "code" that mostly survives from release to release
      seq 1 6000 | sed "s/^/# line /; s/00\$/00 $v/"; } > "fw-$v.sh"
  done
  local n=1
  for v in 1.0.0 1.1.0 1.2.0; do
    "$OTA_IMAGE" sign --key file:keys/image.pem --in "fw-$v.sh" --out "v$n.slot" --version "$v" \
      --security-counter auto --hw-id test-board --vendor example.com 2>/dev/null || return 1
    n=$((n + 1))
  done
  "$OTA_DELTA" create --from v1.slot --to v2.slot --out v1-v2.patch --algo zstd 2>/dev/null || return 1
  "$OTA_DELTA" create --from v1.slot --to v3.slot --out v1-v3.patch --algo zstd 2>/dev/null || return 1
  "$OTA_MANIFEST" init --config repo.yaml --repo repo 2>/dev/null || return 1
  "$OTA_MANIFEST" add --repo repo --file v2.slot --name fw/board-1.1.0.slot --version 1.1.0 --hardware-id test-board \
    --delta 1.0.0=v1-v2.patch --chunk-size 4096 2>/dev/null || return 1
  "$OTA_MANIFEST" add --repo repo --file v3.slot --name fw/board-1.2.0.slot --version 1.2.0 --hardware-id test-board \
    --delta 1.0.0=v1-v3.patch --chunk-size 4096 2>/dev/null || return 1
  "$OTA_MANIFEST" publish --repo repo 2>/dev/null || return 1
  make_director fw/board-1.1.0.slot || return 1
  "$OTA_IMAGE" build --layout board.layout.yaml --trust keys/image.pub.pem --slot-a v1.slot --out flash.img 2>/dev/null || return 1
  printf 'vin: VIN1\necu_serial: ECU-1\n' > device.yaml
}

# make_director TARGET: (re)creates director/ assigning TARGET to ECU-1, installed 1.0.0.
make_director() {
  rm -rf director
  "$OTA_MANIFEST" init --config director.yaml --repo director 2>/dev/null || return 1
  "$OTA_MANIFEST" director --repo director --vehicle VIN1 --ecu "ECU-1=test-board:$1@1.0.0" \
    --image-repo repo --image-root repo/metadata/1.root.json 2>/dev/null || return 1
  "$OTA_MANIFEST" publish --repo director 2>/dev/null
}

# The e2e options every case shares.
e2e_args=(--flash flash.img --device device.yaml --repo repo --director director
          --trusted-root repo/metadata/1.root.json --director-root director/metadata/1.root.json)
