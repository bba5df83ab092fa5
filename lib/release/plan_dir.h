// Reading back the plan directory that `ota-release plan` wrote (plan_files.h): what
// emit, build, merge, campaign and report start from. Checks the format and that
// cohorts.csv and plan.json agree, so a hand-edited or truncated plan is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/storage.h"
#include "release/config.h"

namespace ota::release {

struct PlannedEcu {
  std::string ecu_serial, hardware_id, installed_version, region;
};

struct PlannedVehicle {
  std::string vin;
  std::vector<PlannedEcu> ecus;
  uint64_t bytes = 0;  // estimated download of all its ECUs, protocol overhead included
  uint64_t micro_usd = 0;  // at its region's price, in millionths of a dollar (sums stay exact)
};

struct PlannedSegment {
  std::string name;
  std::vector<PlannedVehicle> vehicles;   // cohort order
  std::vector<uint64_t> stage_end;        // cumulative, per stage
  std::vector<std::string> gate_group;    // per stage
};

struct PlannedItem {                      // one row of the matrix
  std::string hardware_id, from_version, payload;  // payload: delta, full, none
  uint64_t ecus = 0, estimated_bytes = 0;
  std::string source_sha256;              // delta only
};

struct PlannedImage {
  std::string hardware_id, file, sha256;
  uint64_t size = 0, full_image_size = 0;
  struct Source {
    std::string file, sha256;
    uint64_t size = 0;
  };
  std::map<std::string, Source> sources;  // installed version -> its image
};

struct LoadedPlan {
  std::filesystem::path dir;
  std::string release_id, version, repository_config;
  uint64_t seed = 0;
  std::vector<Stage> stages;
  GateRule gate;
  AbortRule abort;
  AbortAction abort_action = AbortAction::rollback;
  double max_ratio = 0.6, protocol_overhead = 0.03;
  std::map<std::string, double> usd_per_mb;  // region -> price
  double default_usd_per_mb = 0.05;
  double price(const std::string& region) const {
    const auto it = usd_per_mb.find(region);
    return it == usd_per_mb.end() ? default_usd_per_mb : it->second;
  }
  std::vector<PlannedImage> images;
  std::vector<PlannedItem> matrix;
  std::vector<PlannedSegment> segments;   // sorted by name
  uint64_t vehicles = 0, ecus = 0;
};

Result<LoadedPlan> read_plan_dir(io::Storage& fs, const std::filesystem::path& dir);

}  // namespace ota::release
