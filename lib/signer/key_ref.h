// Key references as users write them: "pkcs11:<RFC 7512 URI>" or "file:PATH".
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace ota::signer {

struct KeyRef {
  enum class Kind { pkcs11, file } kind;
  std::string file_path;  // for Kind::file
};

// Errc::invalid_argument for anything else, saying which forms exist.
Result<KeyRef> parse_key_ref(std::string_view ref);

}  // namespace ota::signer
