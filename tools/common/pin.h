// Where a tool gets a token's user PIN when the URI carries none: the environment
// variable OTA_PKCS11_PIN, else a prompt on the terminal — never when stdin is not a
// terminal, never echoed, never printed.
#pragma once

#include <string>

#include "pkcs11/token.h"
#include "signer/signer.h"

namespace ota::tools {

pkcs11::PinProvider pin_provider();

// How the key tools open keys: --module (empty: p11-kit's modules), the PIN provider
// above, and the PEM passphrase from OTA_KEY_PASSPHRASE, kept in `passphrase`.
signer::OpenOptions key_open_options(const std::string& module, Secret& passphrase);

}  // namespace ota::tools
