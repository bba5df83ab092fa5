// What a release costs on the air (issue 10 §2, §5): bytes each vehicle downloads and what
// its region's operator charges for them, per stage and segment. A pure function of the
// plan, the inventory and the payload size of each (hardware id, installed version).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "release/config.h"
#include "release/inventory.h"
#include "release/plan.h"

namespace ota::release {

// Bytes one ECU of (hardware id, installed version) downloads: its delta, the full image,
// or 0 when it already runs the release.
using PayloadSizes = std::map<std::pair<std::string, std::string>, uint64_t>;

struct CostRow {
  std::string stage, segment, region;
  uint64_t vehicles = 0, ecus = 0;          // newly reached at this stage
  uint64_t payload_bytes = 0, overhead_bytes = 0;
  double usd = 0;
};

struct CostTable {
  std::vector<CostRow> rows;                // stage order, then segment, then region
  std::vector<double> usd_after_stage;      // cumulative: spent if stopped after stage k
  double usd_total = 0;
  double usd_full_images = 0;               // the same fleet, every ECU on the full image
};

// Overhead is protocol_overhead x payload (TLS, HTTP, TUF metadata, retries); a megabyte
// is 10^6 bytes, as operators bill. `full_sizes` is the compressed full image per hardware id.
CostTable estimate_cost(const ReleaseConfig& config, const Inventory& inventory, const Plan& plan,
                        const PayloadSizes& payload, const std::map<std::string, uint64_t>& full_sizes);

// The stage (index into config.stages) at which each VIN is first reached.
std::map<std::string, size_t> stage_of_vehicle(const Plan& plan);

}  // namespace ota::release
