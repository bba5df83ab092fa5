// Canonical JSON as TUF signs it: the OLPC form that python-securesystemslib's
// encode_canonical and tuf-js produce, so signatures and key ids agree across
// implementations.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/result.h"

namespace ota::json {

// Objects with keys sorted by their UTF-8 bytes, no whitespace, strings with only
// '"' and '\' escaped, integers only (a float is Errc::invalid_argument: TUF
// metadata has none, and its canonical form is undefined).
Result<std::string> canonical(const nlohmann::json& value);

}  // namespace ota::json
