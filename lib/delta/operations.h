// What `ota-delta create|apply|info` do, over the Storage seam. The in-memory
// functions (encode_patch, apply_patch_bytes) are what tests and fuzzers drive.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "delta/algorithm.h"
#include "delta/bsdiff_header.h"
#include "delta/ota_patch.h"
#include "delta/trailer.h"
#include "delta/vcdiff.h"
#include "delta/zstd_delta.h"
#include "io/storage.h"

namespace ota::delta {

using PhaseProgressFn = std::function<void(std::string_view phase, uint64_t done, uint64_t total)>;

struct EncodeOptions {
  int zstd_level = kDefaultZstdLevel;
  bool trailer = true;  // append the ota verification trailer (ignored by bspatch/zstd)
  bool thorough = false;  // bsdiff: try several match gains (slower, smaller)
  OtaParams ota;
};

struct EncodedPatch {
  Bytes bytes;          // the complete patch file
  std::string variant;  // how it was tuned, e.g. "match_gain=5"; empty for zstd
};

// One algorithm, in memory.
Result<EncodedPatch> encode_patch(Algorithm algo, ByteView old_data, ByteView new_data,
                                  const EncodeOptions& options, const ProgressFn& progress = {});

struct ApplyOutcome {
  Algorithm algorithm = Algorithm::kBsdiff;
  uint64_t output_size = 0;
  crypto::Sha256Digest output_sha256{};
  bool verified = false;  // a trailer proved the source and the output
};

// Detects the format, decodes to `out` while checking the trailer's source digest
// (if any) on another thread, then checks the target digest. A wrong source is
// reported as such (Errc::rejected) whatever the decoder made of it. On error
// `out` may hold a partial result: callers write through io::write_atomic.
Result<ApplyOutcome> apply_patch_bytes(ByteView old_data, ByteView patch, io::Writer& out,
                                       const ApplyLimits& limits, const ProgressFn& progress = {});

struct CreateRequest {
  std::filesystem::path old_path, new_path, out_path;
  std::vector<Algorithm> algorithms;  // more than one: try each, keep the smallest ("auto")
  EncodeOptions encode;
  PhaseProgressFn progress;
};

struct Candidate {
  Algorithm algorithm;
  std::optional<uint64_t> patch_size;  // absent when this algorithm failed
  std::string variant;
  double encode_seconds = 0;
  std::string error;                    // why it failed, when it did
};

struct CreateReport {
  Algorithm algorithm = Algorithm::kBsdiff;
  std::string variant;
  uint64_t patch_size = 0, old_size = 0, new_size = 0;
  crypto::Sha256Digest old_sha256{}, new_sha256{};
  bool trailer = false;
  std::vector<Candidate> candidates;
};

Result<CreateReport> create_patch(io::Storage& fs, const CreateRequest& request);

struct BestPatch {
  Bytes bytes;          // the complete patch file, trailer included
  CreateReport report;  // everything but the output path
};

// Encodes with every algorithm (concurrently) and keeps the smallest; ties go to the
// earlier algorithm, so the choice is deterministic. In memory: create_patch and
// release_deltas write the result.
Result<BestPatch> encode_best(ByteView old_data, ByteView new_data, const std::vector<Algorithm>& algorithms,
                              const EncodeOptions& options, const PhaseProgressFn& progress = {});

struct ApplyRequest {
  std::filesystem::path old_path, patch_path, out_path;
  ApplyLimits limits;
  PhaseProgressFn progress;
};

Result<ApplyOutcome> apply_patch(io::Storage& fs, const ApplyRequest& request);

struct PatchReport {
  Algorithm algorithm = Algorithm::kBsdiff;
  uint64_t patch_size = 0;
  std::optional<Trailer> trailer;
  std::optional<BsdiffHeader> bsdiff;
  std::optional<ZstdPatchInfo> zstd;
  std::optional<VcdiffInfo> vcdiff;
  std::optional<OtaHeader> ota;
};

Result<PatchReport> inspect_patch(io::Storage& fs, const std::filesystem::path& patch_path);

}  // namespace ota::delta
