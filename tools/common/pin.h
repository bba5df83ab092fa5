// Where a tool gets a token's user PIN when the URI carries none: the environment
// variable OTA_PKCS11_PIN, else a prompt on the terminal — never when stdin is not a
// terminal, never echoed, never printed.
#pragma once

#include "pkcs11/token.h"

namespace ota::tools {

pkcs11::PinProvider pin_provider();

}  // namespace ota::tools
