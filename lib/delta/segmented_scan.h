// bsdiff-class matching for images too large for one suffix array (docs/delta.md,
// "Large images"). Coarse: content-defined anchors of the source (a Gear rolling hash,
// ~1 per 128 bytes) in a sorted table; each target segment's anchors vote for 1 MiB
// blocks of the source. Fine: the blocks with the most votes (plus the block at the
// segment's own offset), up to a window budget, are copied into one buffer that gets
// a suffix array, and bsdiff's scan runs over the segment against it. Control entries
// are translated back to source offsets, so the output is an ordinary stream of
// bsdiff control/diff/extra data: BSDIFF40 and the ota container both use it.
//
// Memory beyond the two inputs: the anchor table (8 bytes per anchor, ~1/16 of the
// source) + the window (window_bytes) + its suffix array (4 x window_bytes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "delta/bsdiff_scan.h"

namespace ota::delta::detail {

struct SegmentedParams {
  size_t segment_bytes = size_t(16) << 20;  // target bytes per scan
  size_t window_bytes = size_t(48) << 20;   // source bytes per scan (suffix array: 4x)
  size_t block_bytes = size_t(1) << 20;     // source granularity of the window
  int match_gain = 8;
  int64_t max_match = int64_t(64) << 10;  // bounds the scan's cost in long runs of one value
};

// Images at least this large (source or target) are matched segment by segment.
inline constexpr uint64_t kSegmentedThresholdBytes = uint64_t(128) << 20;

Result<void> segmented_scan(ByteView old_data, ByteView new_data, const SegmentedParams& params,
                            ScanSink& sink, const ProgressFn& progress);

}  // namespace ota::delta::detail
