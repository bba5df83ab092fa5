// Canonical JSON as TUF signs it: the OLPC form that python-securesystemslib's
// encode_canonical and tuf-js produce, so signatures and key ids agree across
// implementations.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/result.h"

namespace ota::json {

// Objects with keys sorted by their UTF-8 bytes, no whitespace, strings with only
// '"' and '\' escaped, integers only within +-(2^53 - 1). A float or a larger integer
// is Errc::invalid_argument: TUF metadata has none, and JavaScript clients would read
// them differently (tests/data/canonical-json/ and its PROVENANCE section).
Result<std::string> canonical(const nlohmann::json& value);

}  // namespace ota::json
