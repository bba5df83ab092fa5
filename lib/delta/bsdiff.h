// BSDIFF40 encoder and decoder, compatible with bsdiff/bspatch 4.x (Debian's bsdiff package).
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "io/storage.h"

namespace ota::delta {

inline constexpr int kClassicMatchGain = 8;  // bsdiff 4.3's threshold

struct BsdiffParams {
  // Each gain is one scan over the shared suffix array; the smallest patch wins.
  // {8} alone reproduces bsdiff 4.3 exactly.
  std::vector<int> match_gains{kClassicMatchGain};
};

// The gains `--thorough` tries. The patch size moves erratically with the gain
// (on esbuild 0.24.x, 5 wins one pair by 3.5% and 24 another by 1.2%), so a few
// spread-out values find a smaller patch than any single one (docs/delta.md).
inline const std::vector<int> kThoroughMatchGains{kClassicMatchGain, 5, 6, 12, 16, 24};

struct BsdiffPatch {
  Bytes bytes;
  int match_gain = kClassicMatchGain;  // the gain whose patch was kept
};

// Encodes with bsdiff 4.3's matching over a libdivsufsort suffix array; with the
// default params the output equals Debian bsdiff's for the same inputs. Memory:
// old + new + 4*(old+1) bytes for the suffix array, plus the compressed streams
// (one bzip2 compressor at a time, ≤ 1 MiB of queued batches) of each concurrent scan.
Result<BsdiffPatch> bsdiff_encode(ByteView old_data, ByteView new_data,
                                  const BsdiffParams& params = {}, const ProgressFn& progress = {});

// Decodes a BSDIFF40 payload (the patch without any ota trailer) against `old_data`,
// streaming the output to `out` in bounded chunks. Every control entry is checked
// against the declared new size and the source bounds before it is used.
// Returns the number of bytes written (always the header's new size).
Result<uint64_t> bsdiff_apply(ByteView old_data, ByteView payload, io::Writer& out,
                              const ApplyLimits& limits, const ProgressFn& progress = {});

}  // namespace ota::delta
