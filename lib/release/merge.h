// `ota-release merge --plan PLAN --results DIR... --repo REPO` (issue 10 §2): the shards'
// results become targets of the image repository, signed. Refused, before anything is
// written, when any plan item has no result, two results of one item differ, a result
// names other inputs than the plan (a wrong source hash), or a payload does not match its
// result JSON: a campaign never starts while deltas (or the reverse deltas a rollback
// needs) are missing. The previous images are published too, each with the reverse delta
// from the release. The cost is recomputed from the real sizes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "release/plan_dir.h"
#include "repository/repository.h"

namespace ota::release {

struct MergedTarget {
  std::string hardware_id, name;
  std::vector<std::string> delta_versions;  // installed versions that get a delta
};

struct MergeReport {
  std::vector<MergedTarget> targets;
  std::vector<std::string> rollback_targets;  // previous images, each with the reverse delta
  repository::PublishReport published;
  bool created = false;               // the repository was initialised from the plan's repo.yaml
  uint64_t payload_bytes = 0;         // what the whole fleet downloads, real sizes
  uint64_t micro_usd = 0;             // and what it costs, protocol overhead included
  uint64_t estimated_micro_usd = 0;   // the plan's estimate (an upper bound), for comparison
};

Result<MergeReport> merge_results(repository::Context& ctx, const LoadedPlan& plan,
                                  const std::vector<std::filesystem::path>& result_dirs,
                                  const std::filesystem::path& repo);

}  // namespace ota::release
