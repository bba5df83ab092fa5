// bsdiff-class matching for images too large for a suffix array (docs/delta.md, "Large
// images"). Content-defined anchors of the source (a Gear rolling hash, about one per
// 128 bytes) go into one sorted table; the target is hashed the same way, and each of
// its anchors looks up the source positions with the same key, verifies and extends
// the match in both directions, and the longest becomes an exact match. bsdiff's scan
// then joins those matches across small differences exactly as it joins suffix-array
// matches, so the output is an ordinary control/diff/extra stream: BSDIFF40 and the
// ota container both use it.
//
// Memory beyond the two inputs: the anchor table, 8 bytes per anchor (about 1/16 of
// the source). Time: linear in the inputs; no suffix sort.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "delta/bsdiff_scan.h"

namespace ota::delta::detail {

struct AnchoredParams {
  int match_gain = 8;       // as in bsdiff_scan
  uint64_t min_match = 32;  // shorter verified matches are ignored
};

// Images at least this large (source or target) use anchored matching.
inline constexpr uint64_t kAnchoredThresholdBytes = uint64_t(128) << 20;

Result<void> anchored_scan(ByteView old_data, ByteView new_data, const AnchoredParams& params, ScanSink& sink,
                           const ProgressFn& progress);

}  // namespace ota::delta::detail
