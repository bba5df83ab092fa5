// The one check every tool makes before it writes an output: never over an input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/storage.h"

namespace ota::tools {

// Why `out` cannot be written ("--out 'x' is the key file 'x'"), or nullopt. `inputs`
// pairs a description with a path; paths are compared as files (hard links,
// symlinks) and, for files that do not exist yet, lexically after normalisation.
std::optional<std::string> refuse_output(io::Storage& fs, const std::string& out,
                                         const std::vector<std::pair<std::string, std::string>>& inputs);

}  // namespace ota::tools
