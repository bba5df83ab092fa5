// Self-contained power-cut subjects (BOOT-SPEC T2's configuration matrix; docs/verify.md):
// a factory flash with v1.0.0 in slot A and an update to v1.1.0 (a 64 KiB payload, with an
// `ota` patch), signed with a fixed, published example key so every run id replays the
// same bytes. What `ota-verify powercut --matrix` and the tests sweep.
#pragma once

#include <string>
#include <vector>

#include "verify/powercut.h"

namespace ota::verify {

struct SyntheticConfig {
  std::string layout = "uniform-4k";  // uniform-4k, stm32f4, internal-spi
  uint32_t write_size = 8;
  uint8_t erased = 0xFF;
  uint64_t payload_bytes = 64 * 1024;
  uint64_t chunk_size = 4096;
};

// The layout names synthetic_subject knows, in matrix order.
const std::vector<std::string>& synthetic_layouts();
// T2: every layout x write sizes {1, 4, 8, 16} x erased {0xFF, 0x00} = 24 configurations.
std::vector<SyntheticConfig> t2_matrix();
std::string to_string(const SyntheticConfig& config);  // "uniform-4k/ws8/ff"

// Errc::invalid_argument for an unknown layout name or a write size the layout cannot take.
Result<Subject> synthetic_subject(const SyntheticConfig& config);

}  // namespace ota::verify
