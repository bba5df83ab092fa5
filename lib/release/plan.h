// The plan of a release (issue 10 §2, `ota-release plan`): which (hardware id, installed
// version) pairs get a delta and which the full image, the segments of the fleet, and for
// every stage and segment the vehicles it takes, in the cohort order. A pure function of
// the release file, the inventory and the image sizes: no clock, no randomness but the seed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "release/config.h"
#include "release/inventory.h"

namespace ota::release {

struct MatrixEntry {
  std::string hardware_id, from_version;
  uint64_t ecus = 0;
  bool delta = false;   // false: the full image
  std::string reason;   // why (share of the fleet, no source image, already current)
};

struct SegmentPlan {
  std::string name;               // the segment fields' values joined by '/': "EU/tcu-revA"
  std::vector<std::string> vins;  // cohort order
  // Vehicles taken once stage k is reached (cumulative): ceil(percent x n / 100), at least
  // min_per_segment unless the segment is pooled, never fewer than the stage before.
  std::vector<uint64_t> stage_end;
  // Per stage: the group whose outcomes gate this segment ("EU/tcu-revA", or "pooled" when
  // the whole segment is smaller than min_per_segment: such segments are gated together).
  // A stage's min_per_segment holds for the later stages until one sets its own.
  std::vector<std::string> gate_group;
};

struct Plan {
  std::vector<MatrixEntry> matrix;    // sorted by hardware id, then version
  std::vector<SegmentPlan> segments;  // sorted by name
  uint64_t vehicles = 0, ecus = 0;
};

// Errc::invalid_argument naming the inventory line for an ECU whose hardware id has no
// image in the release file.
Result<Plan> make_plan(const ReleaseConfig& config, const Inventory& inventory, const std::string& inventory_file);

}  // namespace ota::release
