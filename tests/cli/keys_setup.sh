# Sourced by tests/cli/ota-keys/*.sh and ota-sign/*.sh: a throwaway SoftHSM2 token in
# ./hsm (keys-example/softhsm-token.sh, example PINs) with the example role keys.
make_token() {
  eval "$("$KEYS_EXAMPLE/softhsm-token.sh" hsm "$OTA_KEYS")"
  PIN_SOURCE="?pin-source=$OTA_EXAMPLE_PIN_SOURCE"
}
