#include "release/cost.h"

#include <tuple>

namespace ota::release {

std::map<std::string, size_t> stage_of_vehicle(const Plan& plan) {
  std::map<std::string, size_t> out;
  for (const auto& s : plan.segments) {
    size_t k = 0;
    for (size_t i = 0; i < s.vins.size(); ++i) {
      while (k < s.stage_end.size() && i >= s.stage_end[k]) ++k;
      out[s.vins[i]] = k;  // k == stages.size() only if the last stage is under 100 %
    }
  }
  return out;
}

CostTable estimate_cost(const ReleaseConfig& config, const Inventory& inventory, const Plan& plan,
                        const PayloadSizes& payload, const std::map<std::string, uint64_t>& full_sizes) {
  const auto stage_of = stage_of_vehicle(plan);
  std::map<std::string, std::string> segment_of;
  for (const auto& s : plan.segments)
    for (const auto& v : s.vins) segment_of[v] = s.name;

  auto rate = [&](const std::string& region) {
    const auto it = config.usd_per_mb.find(region);
    return it == config.usd_per_mb.end() ? config.default_usd_per_mb : it->second;
  };
  // (stage, segment, region) -> row; vehicles counted once however many ECUs they have.
  std::map<std::tuple<size_t, std::string, std::string>, CostRow> rows;
  std::map<std::tuple<size_t, std::string, std::string>, std::map<std::string, bool>> seen;
  CostTable t;
  for (const auto& e : inventory.rows) {
    const auto st = stage_of.find(e.vin);
    if (st == stage_of.end() || st->second >= config.stages.size()) continue;
    const auto key = std::make_tuple(st->second, segment_of[e.vin], e.region);
    CostRow& r = rows[key];
    r.stage = config.stages[st->second].name;
    r.segment = std::get<1>(key);
    r.region = e.region;
    if (!seen[key][e.vin]) {
      seen[key][e.vin] = true;
      ++r.vehicles;
    }
    ++r.ecus;
    const auto p = payload.find({e.hardware_id, e.installed_version});
    const uint64_t bytes = p == payload.end() ? 0 : p->second;
    const auto overhead = uint64_t(double(bytes) * config.protocol_overhead + 0.5);
    r.payload_bytes += bytes;
    r.overhead_bytes += overhead;
    r.usd += double(bytes + overhead) / 1e6 * rate(e.region);
    if (e.installed_version != config.version) {
      const auto f = full_sizes.find(e.hardware_id);
      const uint64_t full = f == full_sizes.end() ? 0 : f->second;
      t.usd_full_images += double(full) * (1 + config.protocol_overhead) / 1e6 * rate(e.region);
    }
  }
  t.usd_after_stage.assign(config.stages.size(), 0);
  for (auto& [key, row] : rows) {
    for (size_t k = std::get<0>(key); k < config.stages.size(); ++k) t.usd_after_stage[k] += row.usd;
    t.usd_total += row.usd;
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace ota::release
