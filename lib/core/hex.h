#pragma once

#include <string>

#include "core/bytes.h"

namespace ota {

// Lower-case hex, two digits per byte.
std::string to_hex(ByteView bytes);

}  // namespace ota
