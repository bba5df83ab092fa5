// The delta formats ota-delta reads and writes, and what every codec shares.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::delta {

enum class Algorithm {
  kBsdiff,  // BSDIFF40 (bsdiff 4.x): bzip2-coded control/diff/extra streams
  kZstd,    // one zstd frame whose reference prefix is the old file (zstd --patch-from)
  kVcdiff,  // RFC 3284 VCDIFF, as xdelta3 reads and writes it
  kOta,     // ota-delta's own container: bsdiff-style streams coded with LZMA2 (ota_patch.h)
};

inline constexpr Algorithm kAllAlgorithms[] = {Algorithm::kBsdiff, Algorithm::kZstd, Algorithm::kVcdiff,
                                               Algorithm::kOta};

std::string_view to_string(Algorithm algo);
std::optional<Algorithm> parse_algorithm(std::string_view name);

// Identifies the format from the patch's own leading bytes; Errc::unsupported
// names what was found when it is no format this build decodes.
Result<Algorithm> detect_format(ByteView patch);

// Called from the encoding/decoding thread with monotonically increasing `done`.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Bounds that protect apply against hostile patches (decompression bombs).
struct ApplyLimits {
  uint64_t max_output_bytes = uint64_t(4) << 30;  // refuse patches declaring more output
};

// A source size beyond what 32-bit suffix arrays index; larger images are issue #6's.
inline constexpr uint64_t kMaxBsdiffSourceBytes = (uint64_t(1) << 31) - 2;

}  // namespace ota::delta
