// The time repository metadata is signed with: SOURCE_DATE_EPOCH when set (reproducible
// repositories, CI), else now. Shared by the drivers that publish metadata.
#pragma once

#include <cstdint>

#include "core/result.h"

namespace ota::tools {

// Seconds since the epoch; Errc::invalid_argument when SOURCE_DATE_EPOCH is not a number.
Result<int64_t> metadata_now();

}  // namespace ota::tools
