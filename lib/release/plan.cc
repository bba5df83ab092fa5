#include "release/plan.h"

#include <algorithm>
#include <set>

#include "release/cohort.h"

namespace ota::release {

Result<Plan> make_plan(const ReleaseConfig& config, const Inventory& inventory, const std::string& inventory_file) {
  std::map<std::string, const ImageSpec*> images;
  for (const auto& img : config.images) images[img.hardware_id] = &img;

  Plan plan;
  std::map<std::pair<std::string, std::string>, uint64_t> counts;  // (hardware id, version) -> ECUs
  std::map<std::string, uint64_t> per_hardware;
  std::map<std::string, std::set<std::string>> segment_vins;
  std::set<std::string> vehicles;
  for (const auto& row : inventory.rows) {
    if (!images.count(row.hardware_id))
      return Error{Errc::invalid_argument, inventory_file + ":" + std::to_string(row.line) + ": hardware_id: '" +
                                               row.hardware_id + "' has no image in the release file"};
    ++counts[{row.hardware_id, row.installed_version}];
    ++per_hardware[row.hardware_id];
    vehicles.insert(row.vin);
    std::string segment;
    for (const auto& field : config.segments) {
      if (!segment.empty()) segment += '/';
      segment += field == "region" ? row.region : row.hardware_id;
    }
    segment_vins[segment.empty() ? "all" : segment].insert(row.vin);
  }
  plan.vehicles = vehicles.size();
  plan.ecus = inventory.rows.size();

  for (const auto& [key, ecus] : counts) {
    const auto& [hardware_id, version] = key;
    MatrixEntry e{hardware_id, version, ecus, false, ""};
    const ImageSpec& img = *images.at(hardware_id);
    const double share = double(ecus) / double(per_hardware.at(hardware_id));
    if (version == config.version) {
      e.reason = "already runs " + config.version;
    } else if (!img.sources.count(version)) {
      e.reason = "no source image for " + version + " in the release file";
    } else if (share < config.min_share) {
      e.reason = "below min_share of the fleet";
    } else {
      e.delta = true;
      e.reason = "delta (kept only if at most max_ratio of the compressed full image)";
    }
    plan.matrix.push_back(std::move(e));
  }

  for (auto& [name, vins] : segment_vins) {
    SegmentPlan s;
    s.name = name;
    s.vins = cohort_order(config.seed, std::vector<std::string>(vins.begin(), vins.end()));
    // A stage's min_per_segment holds for the later stages too, unless they set their own.
    // A segment that has at least that many vehicles takes at least that many (its gate can
    // then decide on its own); a smaller one takes its percentage and is gated in the pool.
    const uint64_t n = s.vins.size();
    uint64_t floor = 0, end = 0;
    for (const auto& stage : config.stages) {
      if (stage.min_per_segment) floor = stage.min_per_segment;
      const bool pooled = n < floor;
      end = std::max({end, stage_size(n, stage.milli_percent), pooled ? 0 : floor});
      s.stage_end.push_back(end);
      s.gate_group.push_back(pooled ? "pooled" : name);
    }
    plan.segments.push_back(std::move(s));
  }
  return plan;
}

}  // namespace ota::release
