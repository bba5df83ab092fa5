#include "release/report.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "json/canonical_json.h"
#include "release/inventory.h"

namespace ota::release {
namespace {

using nlohmann::json;

std::string usd(uint64_t micro) {
  char b[48];
  std::snprintf(b, sizeof b, "%llu.%06llu", (unsigned long long)(micro / 1000000), (unsigned long long)(micro % 1000000));
  return b;
}

std::string outcome_name(const Outcomes& o, const std::string& vin, bool reached) {
  const auto it = o.by_vin.find(vin);
  if (it == o.by_vin.end()) return reached ? "pending" : "not_reached";
  return it->second == Outcome::success ? "success" : it->second == Outcome::failure ? "failure" : "timeout";
}

}  // namespace

Result<std::vector<RecordFile>> make_records(const LoadedPlan& plan, const Outcomes& outcomes,
                                             const CampaignStatus& status, const ReportOptions& options,
                                             signer::Signer& signer) {
  std::vector<RecordFile> files;
  std::map<std::string, const PlannedImage*> image;
  for (const auto& img : plan.images) image[img.hardware_id] = &img;
  std::map<std::pair<std::string, std::string>, const PlannedItem*> item;
  for (const auto& m : plan.matrix) item[{m.hardware_id, m.from_version}] = &m;

  // 1. The update: purpose, hardware, versions before -> after, software identification.
  json versions = json::array(), software = json::array(), hardware = json::array();
  for (const auto& m : plan.matrix)
    versions.push_back({{"hardware_id", m.hardware_id}, {"from", m.from_version}, {"to", plan.version}, {"ecus", m.ecus},
                        {"payload", m.payload}});
  for (const auto& img : plan.images) {
    hardware.push_back(img.hardware_id);
    json sources = json::array();
    for (const auto& [v, s] : img.sources) sources.push_back({{"version", v}, {"sha256", s.sha256}, {"length", s.size}});
    software.push_back({{"hardware_id", img.hardware_id},
                        {"target", img.hardware_id + "/" + std::filesystem::path(img.file).filename().string()},
                        {"version", plan.version}, {"sha256", img.sha256}, {"length", img.size}, {"sources", sources}});
  }
  const json update = {{"record", "update"},
                       {"release", {{"id", plan.release_id}, {"version", plan.version}}},
                       {"purpose", options.purpose},
                       {"affected_hardware_ids", hardware},
                       {"versions", versions},
                       {"software_identification", software},
                       {"signing", {{"role", "targets"}, {"keyid", signer.key_id()}}},
                       {"standards", {"UNECE R156 7.1", "ISO 24089"}}};
  files.push_back({"update.json", update.dump(2) + "\n"});

  // 2. Vehicles: the compatibility decision for each ECU and what happened.
  std::string vehicles = "vin,ecu_serial,hardware_id,installed_version,segment,stage,compatible,check,payload,outcome\n";
  for (size_t si = 0; si < plan.segments.size(); ++si) {
    const PlannedSegment& s = plan.segments[si];
    const uint64_t reached = status.segments[si].reached;
    for (size_t i = 0; i < s.vehicles.size(); ++i) {
      size_t k = 0;
      while (k < s.stage_end.size() && i >= s.stage_end[k]) ++k;
      const std::string stage = k < plan.stages.size() ? plan.stages[k].name : "";
      const std::string result = outcome_name(outcomes, s.vehicles[i].vin, i < reached);
      for (const auto& e : s.vehicles[i].ecus) {
        const auto m = item.find({e.hardware_id, e.installed_version});
        const bool ok = image.count(e.hardware_id) && m != item.end();
        const std::string check = ok ? "hardware_id " + e.hardware_id + " has an image; " + e.installed_version + " -> " +
                                           plan.version + " by " + m->second->payload
                                     : "no image for this hardware id";
        vehicles += csv_field(s.vehicles[i].vin) + "," + csv_field(e.ecu_serial) + "," + csv_field(e.hardware_id) + "," +
                    csv_field(e.installed_version) + "," + csv_field(s.name) + "," + csv_field(stage) + "," + (ok ? "yes" : "no") + "," +
                    csv_field(check) + "," + (ok ? m->second->payload : "") + "," + result + "\n";
      }
    }
  }
  files.push_back({"vehicles.csv", vehicles});

  // 3. Every gate decision with its inputs.
  json decisions = json::array();
  for (const auto& d : status.decisions)
    decisions.push_back({{"group", d.group}, {"segments", d.segments}, {"stage", d.stage}, {"extension", d.extension},
                         {"action", d.action}, {"executed", d.result.executed}, {"failed", d.result.failed},
                         {"success_lower", d.result.success.lower}, {"success_upper", d.result.success.upper},
                         {"failure_lower", d.result.failure.lower}, {"rule", d.result.rule}});
  json states = json::array();
  for (const auto& s : status.segments)
    states.push_back({{"segment", s.name}, {"state", to_string(s.state)}, {"stage", plan.stages.empty() ? "" : plan.stages[s.stage].name},
                      {"reached", s.reached}, {"executed", s.executed}, {"failed", s.failed}});
  files.push_back({"decisions.json", json({{"record", "decisions"}, {"outcomes", options.outcomes_file},
                                           {"state", overall_state(status)}, {"segments", states}, {"decisions", decisions}})
                                         .dump(2) + "\n"});

  // 4. Cost per stage x segment x region: planned, cumulative, spent if aborted after the
  // stage, saving against full images.
  struct Row {
    uint64_t vehicles = 0, payload = 0, overhead = 0, micro = 0, full_micro = 0;
  };
  std::map<std::tuple<size_t, std::string, std::string>, Row> rows;
  uint64_t spent_micro = 0;
  for (size_t si = 0; si < plan.segments.size(); ++si) {
    const PlannedSegment& s = plan.segments[si];
    spent_micro += status.segments[si].micro_usd;
    for (size_t i = 0; i < s.vehicles.size(); ++i) {
      size_t k = 0;
      while (k < s.stage_end.size() && i >= s.stage_end[k]) ++k;
      if (k >= plan.stages.size()) continue;
      std::map<std::string, bool> counted;
      for (const auto& e : s.vehicles[i].ecus) {
        Row& r = rows[{k, s.name, e.region}];
        if (!counted[e.region]) ++r.vehicles, counted[e.region] = true;
        const auto m = item.find({e.hardware_id, e.installed_version});
        const uint64_t bytes = m == item.end() ? 0 : m->second->estimated_bytes;
        const auto overhead = uint64_t(double(bytes) * plan.protocol_overhead + 0.5);
        r.payload += bytes;
        r.overhead += overhead;
        r.micro += uint64_t(double(bytes + overhead) * plan.price(e.region) + 0.5);
        if (e.installed_version != plan.version && image.count(e.hardware_id)) {
          const uint64_t full = image[e.hardware_id]->full_image_size;
          r.full_micro += uint64_t(double(full) * (1 + plan.protocol_overhead) * plan.price(e.region) + 0.5);
        }
      }
    }
  }
  std::vector<uint64_t> after(plan.stages.size(), 0);
  for (const auto& [key, r] : rows)
    for (size_t k = std::get<0>(key); k < after.size(); ++k) after[k] += r.micro;
  std::string cost =
      "stage,segment,region,vehicles,payload_bytes,overhead_bytes,usd,cumulative_usd,spent_if_aborted_after_stage_usd,"
      "saving_vs_full_images_usd\n";
  uint64_t cumulative = 0, total = 0, total_full = 0;
  for (const auto& [key, r] : rows) {
    cumulative += r.micro;
    total += r.micro;
    total_full += r.full_micro;
    cost += csv_field(plan.stages[std::get<0>(key)].name) + "," + csv_field(std::get<1>(key)) + "," + csv_field(std::get<2>(key)) + "," +
            std::to_string(r.vehicles) + "," + std::to_string(r.payload) + "," + std::to_string(r.overhead) + "," +
            usd(r.micro) + "," + usd(cumulative) + "," + usd(after[std::get<0>(key)]) + "," +
            usd(r.full_micro > r.micro ? r.full_micro - r.micro : 0) + "\n";
  }
  files.push_back({"cost.csv", cost});

  // 5. A short human summary.
  std::string summary = "Release " + plan.release_id + " (" + plan.version + ")" +
                        (options.purpose.empty() ? "" : ": " + options.purpose) + "\n";
  summary += "Campaign state: " + std::string(overall_state(status)) + "\n";
  for (const auto& s : status.segments)
    summary += "  " + s.name + ": " + std::string(to_string(s.state)) + " at " + plan.stages[s.stage].name + ", " +
               std::to_string(s.executed) + " installs reported, " + std::to_string(s.failed) + " failed\n";
  summary += "Decisions: " + std::to_string(status.decisions.size()) + " (decisions.json)\n";
  summary += "Cost: $" + usd(spent_micro) + " committed so far (vehicles assigned the release) of $" + usd(total) +
             " planned; full images would cost $" +
             usd(total_full) + "\n";
  for (size_t k = 0; k < after.size(); ++k) summary += "  stopped after " + plan.stages[k].name + ": $" + usd(after[k]) + "\n";
  files.push_back({"summary.txt", summary});

  // 6. The index, signed.
  json index_files = json::array();
  for (const auto& f : files) {
    const ByteView b(reinterpret_cast<const uint8_t*>(f.text.data()), f.text.size());
    index_files.push_back({{"name", f.name}, {"sha256", to_hex(crypto::sha256(b))}, {"length", f.text.size()}});
  }
  const json index = {{"_type", "ota-release-records"},
                      {"release", {{"id", plan.release_id}, {"version", plan.version}}},
                      {"files", index_files},
                      {"signed_by", {{"role", "targets"}, {"keyid", signer.key_id()}}}};
  auto text = ota::json::canonical(index);
  if (!text) return std::move(text).error();
  auto sig = signer.sign(ByteView(reinterpret_cast<const uint8_t*>(text->data()), text->size()));
  if (!sig) return std::move(sig).error().with_context("signing the records' index");
  files.push_back({"index.json", *text});
  files.push_back({"index.json.sig", std::string(sig->begin(), sig->end())});
  return files;
}

}  // namespace ota::release
