// The plan directory `ota-release plan` writes and every later command reads (issue 10 §2;
// docs/release.md): plan.json (the release, matrix, stages, segments, rules and the cost
// estimate), cohorts.csv (one row per ECU in cohort order with the stage that reaches it)
// and plan.lock (the SHA-256 and size of every input file). Same inputs, same bytes.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/storage.h"
#include "release/config.h"
#include "release/cost.h"
#include "release/inventory.h"
#include "release/plan.h"

namespace ota::release {

struct LockedFile {
  std::string role;                 // "release", "inventory", "image", "source"
  std::filesystem::path path;       // as resolved against the release file's directory
  std::string sha256;               // lower-case hex
  uint64_t size = 0;
};

struct ImageFacts {
  uint64_t size = 0, full_size = 0;  // the image and its .xz full-image payload
  std::string sha256;
};

// Everything the plan is computed from, read and hashed once.
struct PlanInputs {
  std::filesystem::path config_file;
  ReleaseConfig config;
  Inventory inventory;
  std::vector<LockedFile> files;                 // plan.lock, sorted by path
  std::map<std::string, ImageFacts> images;      // hardware id -> new image
  std::map<std::string, std::string> file_sha256;  // path -> hex, for sources too
  std::map<std::string, uint64_t> file_size;       // path -> bytes
};

// Reads the release file, the inventory and every image; a missing or unreadable file is
// an error naming the release file's line that refers to it.
Result<PlanInputs> load_inputs(io::Storage& fs, const std::filesystem::path& config_file);

struct PlanOutput {
  Plan plan;
  CostTable cost;
  std::filesystem::path plan_json, cohorts_csv, plan_lock;
};

// Computes the plan and writes the three files into `out` (created when absent), each
// atomically, plan.json last; on failure the files already written are removed.
Result<PlanOutput> write_plan(io::Storage& fs, const PlanInputs& inputs, const std::filesystem::path& out);

}  // namespace ota::release
