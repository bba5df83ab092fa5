// `release.yaml` (issue 10 §1): one file that names a release's images, the fleet it goes
// to, when a delta pays, how the campaign is staged and gated, and what bytes cost. The
// field names are the interface (schemas/release.schema.json); unknown fields are errors,
// and every error names the file, the line and the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "release/gate.h"

namespace ota::release {

struct ImageSpec {
  std::string hardware_id;                                // the Uptane hardware id
  std::filesystem::path file;                             // the new image
  std::map<std::string, std::filesystem::path> sources;  // installed version -> its image
  uint32_t line = 0;
};

struct Stage {
  std::string name;
  uint32_t milli_percent = 0;      // thousandths of a percent of each segment (cohort.h)
  uint64_t min_per_segment = 0;    // segments smaller than this are pooled for gating
};

enum class AbortAction { rollback, halt };

struct ReleaseConfig {
  std::string id, version;
  std::vector<ImageSpec> images;
  std::filesystem::path inventory;
  uint32_t inventory_line = 0;                 // of the `inventory:` field, for messages
  double min_share = 0.005, max_ratio = 0.6;   // deltas: below min_share of the fleet, or
                                               // above max_ratio of the full image: full
  std::vector<std::string> segments;           // of "region", "hardware_id"
  uint64_t seed = 0;
  std::vector<Stage> stages;
  GateRule gate;
  AbortRule abort;
  AbortAction abort_action = AbortAction::rollback;
  std::map<std::string, double> usd_per_mb;    // region -> price
  double default_usd_per_mb = 0.05, protocol_overhead = 0.03;
  std::filesystem::path repo_config;           // the manifest issue's repo.yaml
};

// `text` is the file's content, `file` its path (for messages and relative paths).
Result<ReleaseConfig> parse_release_config(const std::string& text, const std::filesystem::path& file);

}  // namespace ota::release
