// Key references as users write them: "pkcs11:<RFC 7512 URI>" or "file:PATH".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ota::signer {

struct KeyRef {
  enum class Kind { pkcs11, file } kind;
  std::string file_path;  // for Kind::file
};

// Errc::invalid_argument for anything else, saying which forms exist.
Result<KeyRef> parse_key_ref(std::string_view ref);

// The files a key reference makes a tool read: the PEM of file:PATH, the pin-source
// file of a pkcs11: URI. Tools refuse an output path that names one of them.
// Each comes with what it is ("the key file", "the PIN file").
std::vector<std::pair<std::string, std::string>> files_read_by(std::string_view ref);

}  // namespace ota::signer
