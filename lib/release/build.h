// One shard of a release's build work (`ota-release build --plan PLAN --shard I/K --out
// DIR`, issue 10 §2): every item the shard owns (shards.h) becomes a content-addressed
// file -- `<sha256 source>_<sha256 target>.<algorithm>` for a delta or a rollback's
// reverse delta (the smallest of every algorithm ota-delta has), `<sha256 target>.xz` for
// a full image -- with a small
// result JSON beside it (`<item>.json`). Inputs whose hash is not the plan's are refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/storage.h"
#include "release/plan_dir.h"

namespace ota::release {

struct ShardSpec {
  size_t index = 0, count = 1;  // I/K, 0 <= I < K
};

// "3/8" -> {3, 8}; Errc::invalid_argument unless 0 <= I < K and K >= 1.
Result<ShardSpec> parse_shard(const std::string& text);

struct ItemResult {
  std::string item, kind, file;   // kind: delta, rollback or full; file: name inside the output directory
  uint64_t size = 0;
  std::string sha256, algorithm;
  double seconds = 0;             // the only field that differs between two runs
};

// Writes the shard's files into `out` (created when absent; existing results of the same
// item are replaced). Items are built one after another in id order; each file is
// written atomically, the result JSON after the payload it describes.
Result<std::vector<ItemResult>> build_shard(io::Storage& fs, const LoadedPlan& plan, const ShardSpec& shard,
                                            const std::filesystem::path& out, const std::string& tool_version);

}  // namespace ota::release
