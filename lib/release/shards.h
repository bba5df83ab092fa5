// The build work of a plan (issue 10 §2 emit/build): one item per distinct (source,
// target) delta, its reverse (for rollback), and one per compressed full image, balanced
// over K shards by input size.
// A pure function of the plan and K, so every CI job computes the same assignment from
// the plan artifact alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "release/plan_dir.h"

namespace ota::release {

struct WorkItem {
  std::string id;            // "<sha256 source>_<sha256 target>" or "<sha256 target>" (full)
  bool delta = false;
  // A reverse delta, release image -> a previous image, for rollback assignments; its
  // from_versions name the previous version(s) it restores.
  bool rollback = false;
  std::string hardware_id;
  std::vector<std::string> from_versions;  // delta: the installed versions with this source
  std::string source_file, source_sha256;  // delta only
  std::string target_file, target_sha256;
  uint64_t weight = 0;       // bytes read: source + target
};

// Sorted by id; for every matrix row with payload "delta" the delta and its reverse, and a
// full image per image.
std::vector<WorkItem> work_items(const LoadedPlan& plan);

// Longest processing time first: items by weight (descending, then id) each onto the
// shard with the least weight so far (ties: the lowest index). Result[k] = item indexes
// of shard k, sorted. k <= items.size().
std::vector<std::vector<size_t>> assign_shards(const std::vector<WorkItem>& items, size_t shards);

}  // namespace ota::release
