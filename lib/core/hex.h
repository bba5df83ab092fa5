#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace ota {

// Lower-case hex, two digits per byte.
std::string to_hex(ByteView bytes);

// A number for messages: "0x1f000" (lower case, no padding).
std::string hex_number(uint64_t value);

// Upper- or lower-case hex with an even number of digits; nullopt otherwise.
std::optional<Bytes> from_hex(std::string_view text);

}  // namespace ota
