// The `ota` delta container: ota-delta's own best-size format. bsdiff-style
// control/diff/extra streams (varint control entries) coded with LZMA2, optionally
// over branch-converted code, behind a header that names the source and the target by
// size and SHA-256. Byte layout: docs/delta.md, "The ota container".
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/sha256.h"
#include "delta/algorithm.h"
#include "delta/branch_filter.h"
#include "io/storage.h"

namespace ota::delta {

inline constexpr char kOtaMagic[8] = {'O', 'T', 'A', 'D', 'E', 'L', 'T', 'A'};
inline constexpr uint8_t kOtaFormatVersion = 1;
inline constexpr uint8_t kOtaMethodBsdiffStreams = 1;
inline constexpr uint8_t kOtaCodingLzma2 = 1;
inline constexpr size_t kOtaHeaderBytes = 172;
// The largest LZMA2 dictionary a patch may ask the decoder for (the encoder uses at
// most 16 MiB): decoder memory is bounded by three of these.
inline constexpr uint32_t kOtaMaxDictBytes = uint32_t(64) << 20;

struct OtaStreamInfo {
  uint64_t coded_bytes = 0;  // LZMA2 bytes in the patch
  uint64_t raw_bytes = 0;    // what they decode to
  uint32_t dict_bytes = 0;   // LZMA2 dictionary size the decoder needs
};

struct OtaHeader {
  uint8_t version = kOtaFormatVersion;
  uint8_t method = kOtaMethodBsdiffStreams;
  uint8_t coding = kOtaCodingLzma2;
  BranchFilter filter = BranchFilter::kNone;
  uint64_t old_size = 0, new_size = 0;
  crypto::Sha256Digest old_sha256{}, new_sha256{};
  OtaStreamInfo ctrl, diff, extra;
};

// Parses and checks the header (magic, version, CRC-32, that the three streams fill
// the rest of the patch exactly, dictionary sizes); one-line errors name the field.
Result<OtaHeader> parse_ota_header(ByteView patch);
void store_ota_header(const OtaHeader& header, uint8_t out[kOtaHeaderBytes]);

struct OtaParams {
  // Each gain is one bsdiff scan; each filter a suffix array of its own. Every
  // combination is coded and the smallest patch wins (ties: the earlier one).
  std::vector<int> match_gains{8, 16};
  std::vector<BranchFilter> filters{BranchFilter::kNone, BranchFilter::kX86};
  int threads = 2;  // combinations encoded at once
};

struct OtaPatch {
  Bytes bytes;  // the complete patch
  int match_gain = 0;
  BranchFilter filter = BranchFilter::kNone;
};

Result<OtaPatch> ota_encode(ByteView old_data, ByteView new_data, const OtaParams& params = {},
                            const ProgressFn& progress = {});

// Streams the output to `out`; every control entry is checked against the source and
// the declared sizes before use, and every stream must decode to exactly its declared
// size. The caller checks the digests (the header's, via split_trailer).
Result<uint64_t> ota_apply(ByteView old_data, ByteView patch, io::Writer& out,
                           const ApplyLimits& limits, const ProgressFn& progress = {});

std::string_view to_string(BranchFilter filter);

}  // namespace ota::delta
