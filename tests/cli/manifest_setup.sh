# Sourced by tests/cli/ota-manifest/*.sh: Ed25519 file keys and a published repository
# ./repo with one target, ecu/fw.bin.
make_repo() {
  mkdir -p keys
  for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ed25519 --key "file:keys/$k.pem" 2>/dev/null; done
  cat > repo.yaml <<YAML
roles:
  root: {keys: [file:keys/root.pem], threshold: 1}
  targets: {keys: [file:keys/targets.pem], threshold: 1}
  snapshot: {keys: [file:keys/snapshot.pem]}
  timestamp: {keys: [file:keys/timestamp.pem]}
YAML
  "$OTA_MANIFEST" init --config repo.yaml --repo repo 2>/dev/null
  printf 'firmware image' > fw.bin
  "$OTA_MANIFEST" add --repo repo --file fw.bin --name ecu/fw.bin --version 1 --hardware-id hw 2>/dev/null
  "$OTA_MANIFEST" publish --repo repo 2>/dev/null
}
