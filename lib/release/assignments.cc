#include "release/assignments.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

#include "release/inventory.h"

namespace ota::release {
namespace {

const std::string kHeader = "vin,ecu_serial,hardware_id,installed_version,target,version,payload\n";

const PlannedImage* image_of(const LoadedPlan& plan, const std::string& hardware_id) {
  for (const auto& img : plan.images)
    if (img.hardware_id == hardware_id) return &img;
  return nullptr;
}

std::string target_name(const PlannedImage& img) {
  return img.hardware_id + "/" + std::filesystem::path(img.file).filename().string();
}

std::string row(const PlannedVehicle& v, const PlannedEcu& e, const std::string& target, const std::string& version,
                const std::string& payload) {
  return csv_field(v.vin) + "," + csv_field(e.ecu_serial) + "," + csv_field(e.hardware_id) + "," + csv_field(e.installed_version) + "," +
         csv_field(target) + "," + csv_field(version) + "," + payload + "\n";
}

}  // namespace

std::string forward_assignments(const LoadedPlan& plan, const std::vector<Reached>& ranges) {
  std::map<std::pair<std::string, std::string>, std::string> payload;  // (hw, version) -> delta item
  for (const auto& m : plan.matrix)
    if (m.payload == "delta")
      if (const PlannedImage* img = image_of(plan, m.hardware_id)) payload[{m.hardware_id, m.from_version}] = m.source_sha256 + "_" + img->sha256;
  std::string out = kHeader;
  for (const auto& r : ranges)
    for (uint64_t i = r.from; i < r.to; ++i) {
      const PlannedVehicle& v = plan.segments[r.segment].vehicles[i];
      for (const auto& e : v.ecus) {
        const PlannedImage* img = image_of(plan, e.hardware_id);
        if (!img) continue;
        const auto d = payload.find({e.hardware_id, e.installed_version});
        const std::string p = e.installed_version == plan.version ? "none"
                              : d != payload.end()               ? "delta:" + d->second
                                                                 : "full:" + img->sha256;
        out += row(v, e, target_name(*img), plan.version, p);
      }
    }
  return out;
}

std::string rollback_assignments(const LoadedPlan& plan, const std::vector<Reached>& ranges) {
  std::string out = kHeader;
  for (const auto& r : ranges)
    for (uint64_t i = r.from; i < r.to; ++i) {
      const PlannedVehicle& v = plan.segments[r.segment].vehicles[i];
      for (const auto& e : v.ecus) {
        const PlannedImage* img = image_of(plan, e.hardware_id);
        if (!img || e.installed_version == plan.version) continue;  // it ran the release already
        const auto src = img->sources.find(e.installed_version);
        const std::string target = e.hardware_id + "/" +
                                   (src != img->sources.end() ? std::filesystem::path(src->second.file).filename().string()
                                                              : e.installed_version);
        const std::string p = src != img->sources.end() ? "rollback:" + img->sha256 + "_" + src->second.sha256
                                                        : "full:unknown (no image of " + e.installed_version + " in the plan)";
        out += row(v, e, target, e.installed_version, csv_field(p));
      }
    }
  return out;
}

std::string campaign_json(const LoadedPlan& plan) {
  nlohmann::json stages = nlohmann::json::array();
  for (size_t k = 0; k < plan.stages.size(); ++k) {
    nlohmann::json per = nlohmann::json::object();
    uint64_t total = 0;
    for (const auto& s : plan.segments) {
      const uint64_t before = k ? s.stage_end[k - 1] : 0;
      per[s.name] = {{"new", s.stage_end[k] - before}, {"cumulative", s.stage_end[k]}, {"gate_group", s.gate_group[k]}};
      total += s.stage_end[k];
    }
    char pct[32];
    std::snprintf(pct, sizeof pct, "%u.%03u", plan.stages[k].milli_percent / 1000, plan.stages[k].milli_percent % 1000);
    stages.push_back({{"name", plan.stages[k].name}, {"percent", pct}, {"cumulative_vehicles", total}, {"segments", per},
                      {"assignments", "assignments/" + std::to_string(k) + "-" + plan.stages[k].name + ".csv"}});
  }
  nlohmann::json segments = nlohmann::json::array();
  for (const auto& s : plan.segments) segments.push_back({{"name", s.name}, {"vehicles", s.vehicles.size()}});
  const nlohmann::json doc = {
      {"format", "ota-release-campaign"},
      {"format_version", 1},
      {"release", {{"id", plan.release_id}, {"version", plan.version}}},
      {"stages", stages},
      {"segments", segments},
      {"rules",
       {{"gate", {{"min_success", plan.gate.min_success}, {"confidence", plan.gate.confidence},
                  {"min_executed", plan.gate.min_executed}, {"max_extensions", plan.gate.max_extensions}}},
        {"abort", {{"max_failure", plan.abort.max_failure}, {"confidence", plan.abort.confidence},
                   {"min_executed", plan.abort.min_executed},
                   {"action", plan.abort_action == AbortAction::rollback ? "rollback" : "halt"}}},
        {"bound", "Wilson score interval, two-sided z for the confidence; timeouts count as failures"},
        {"extension", "the stage's own increment again (the first stage's size if none), at least min_executed"}}}};
  return doc.dump(2) + "\n";
}

}  // namespace ota::release
