// `ota-delta release`: one patch per source version that devices run, a compressed
// full image, and index.json that says, per source version, what a device of that
// version downloads (schemas/ota-delta-release-index.schema.json, docs/delta.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "delta/operations.h"

namespace ota::delta {

struct ReleaseSource {
  std::string version;  // [0-9A-Za-z][0-9A-Za-z._+~-]*, at most 64 characters
  std::filesystem::path path;
};

inline constexpr double kDefaultFallbackThreshold = 0.6;

struct ReleaseRequest {
  std::filesystem::path new_path, out_dir;
  std::vector<ReleaseSource> sources;  // index.json keeps this order
  std::vector<Algorithm> algorithms;   // tried per source; the smallest is kept
  EncodeOptions encode;
  // A delta of at least this fraction of the compressed full image is not worth
  // shipping: that source gets the full image.
  double threshold = kDefaultFallbackThreshold;
  unsigned jobs = 0;  // sources encoded at once; 0: the number of cores (1 for images >= 128 MiB)
  PhaseProgressFn progress;
};

struct ReleaseFile {
  std::string file;  // name inside out_dir
  uint64_t size = 0;
  crypto::Sha256Digest sha256{};
};

struct ReleaseEntry {
  std::string version;
  uint64_t source_size = 0;
  crypto::Sha256Digest source_sha256{};
  Algorithm algorithm = Algorithm::kOta;  // of the best delta
  uint64_t delta_size = 0;                // of the best delta, shipped or not
  double ratio_to_full = 0;               // delta_size / full image size
  bool use_delta = false;                 // false: the device downloads the full image
  std::optional<ReleaseFile> patch;       // written only when used
  CreateReport encode;                    // candidates and timings (not in index.json)
};

struct ReleaseReport {
  std::string target_name;
  uint64_t target_size = 0;
  crypto::Sha256Digest target_sha256{};
  ReleaseFile full_image;
  double threshold = kDefaultFallbackThreshold;
  std::vector<ReleaseEntry> entries;
  std::filesystem::path index_path;
  std::string index_json;  // exactly what index.json holds
};

// Writes every file of the release into out_dir, which must be absent or empty;
// index.json is written last, and on any failure the files already written are
// removed again. Every patch is applied once in memory and must rebuild the target.
Result<ReleaseReport> release_deltas(io::Storage& fs, const ReleaseRequest& request);

bool valid_release_version(std::string_view version);

// The full image as one .xz stream (CRC-64), which `xz -d` reads. Blocks of a fixed size
// are compressed on `threads` threads; the output depends on the block size only, not on
// the thread count, so it is the same on every machine.
Result<Bytes> compress_full_image(ByteView data, unsigned threads);

}  // namespace ota::delta
