#include "release/plan_dir.h"

#include <nlohmann/json.hpp>

#include <set>

#include "release/cohort.h"
#include "release/inventory.h"

namespace ota::release {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Error bad(const fs::path& file, const std::string& what) {
  return Error{Errc::corrupt, file.string() + ": " + what + " (rerun ota-release plan)"};
}

Result<std::string> read_text(io::Storage& storage, const fs::path& path) {
  auto in = storage.open_input(path);
  if (!in) return std::move(in).error();
  const ByteView b = (*in)->bytes();
  return std::string(b.begin(), b.end());
}


}  // namespace

Result<LoadedPlan> read_plan_dir(io::Storage& storage, const fs::path& dir) {
  LoadedPlan p;
  p.dir = dir;
  const fs::path plan_file = dir / "plan.json", cohorts_file = dir / "cohorts.csv";
  auto text = read_text(storage, plan_file);
  if (!text) return std::move(text).error();
  std::map<std::pair<std::string, std::string>, uint64_t> bytes_of;  // (hardware id, version)
  json cost;
  std::map<std::string, PlannedSegment*> by_name;
  try {
    const json doc = json::parse(*text);
    if (doc.value("format", "") != "ota-release-plan" || doc.value("format_version", 0) != 1)
      return bad(plan_file, "not an ota-release plan of format version 1");
    p.release_id = doc.at("release").at("id").get<std::string>();
    p.version = doc.at("release").at("version").get<std::string>();
    p.repository_config = doc.at("repository_config").get<std::string>();
    p.seed = doc.at("seed").get<uint64_t>();
    for (const auto& s : doc.at("stages")) {
      auto pct = parse_percent(s.at("percent").get<std::string>());
      if (!pct) return bad(plan_file, "stage percent: " + pct.error().message);
      p.stages.push_back({s.at("name").get<std::string>(), *pct, s.value("min_per_segment", uint64_t(0))});
    }
    const json& g = doc.at("gate");
    p.gate = {g.at("min_success").get<double>(), g.at("confidence").get<double>(), g.at("min_executed").get<uint64_t>(),
              g.at("max_extensions").get<uint32_t>()};
    const json& a = doc.at("abort");
    p.abort = {a.at("max_failure").get<double>(), a.at("confidence").get<double>(), a.at("min_executed").get<uint64_t>()};
    p.abort_action = a.at("action").get<std::string>() == "halt" ? AbortAction::halt : AbortAction::rollback;
    p.max_ratio = doc.at("deltas").at("max_ratio").get<double>();
    cost = doc.at("cost");
    p.protocol_overhead = cost.at("protocol_overhead").get<double>();
    p.usd_per_mb = cost.at("usd_per_mb").get<std::map<std::string, double>>();
    p.default_usd_per_mb = cost.at("default_usd_per_mb").get<double>();
    for (const auto& i : doc.at("images")) {
      PlannedImage img{i.at("hardware_id").get<std::string>(), i.at("file").get<std::string>(),
                       i.at("sha256").get<std::string>(), i.at("size").get<uint64_t>(),
                       i.at("full_image_size").get<uint64_t>(), {}};
      for (const auto& s : i.at("sources"))
        img.sources[s.at("version").get<std::string>()] = {s.at("file").get<std::string>(), s.at("sha256").get<std::string>(),
                                                           s.at("size").get<uint64_t>()};
      p.images.push_back(std::move(img));
    }
    for (const auto& m : doc.at("matrix")) {
      PlannedItem it{m.at("hardware_id").get<std::string>(), m.at("from_version").get<std::string>(),
                     m.at("payload").get<std::string>(), m.at("ecus").get<uint64_t>(), m.at("estimated_bytes").get<uint64_t>(),
                     m.value("source_sha256", "")};
      bytes_of[{it.hardware_id, it.from_version}] = it.estimated_bytes;
      p.matrix.push_back(std::move(it));
    }
    for (const auto& s : doc.at("segments")) {
      PlannedSegment seg;
      seg.name = s.at("name").get<std::string>();
      seg.stage_end = s.at("stage_end").get<std::vector<uint64_t>>();
      seg.gate_group = s.at("gate_group").get<std::vector<std::string>>();
      if (seg.stage_end.size() != p.stages.size() || seg.gate_group.size() != p.stages.size())
        return bad(plan_file, "segment '" + seg.name + "' does not list every stage");
      seg.vehicles.reserve(s.at("vehicles").get<uint64_t>());
      p.segments.push_back(std::move(seg));
    }
    p.vehicles = doc.at("vehicles").get<uint64_t>();
    p.ecus = doc.at("ecus").get<uint64_t>();
  } catch (const json::exception& e) {
    return bad(plan_file, std::string("not a valid plan: ") + e.what());
  }
  for (auto& s : p.segments) by_name[s.name] = &s;

  auto csv = read_text(storage, cohorts_file);
  if (!csv) return std::move(csv).error();
  size_t pos = 0;
  uint32_t line = 1;
  const std::string name = cohorts_file.string();
  auto header = read_csv_record(*csv, pos, line, name);
  if (!header || *header != std::vector<std::string>{"segment", "position", "stage", "vin", "ecu_serial", "hardware_id",
                                                      "installed_version", "region"})
    return bad(cohorts_file, "not the cohorts of an ota-release plan");
  uint64_t ecus = 0;
  while (pos < csv->size()) {
    const uint32_t at = line;
    auto f = read_csv_record(*csv, pos, line, name);
    if (!f) return std::move(f).error();
    if (f->size() != 8) return bad(cohorts_file, "line " + std::to_string(at) + ": expected 8 fields");
    const auto seg = by_name.find((*f)[0]);
    if (seg == by_name.end()) return bad(cohorts_file, "line " + std::to_string(at) + ": unknown segment");
    auto& vehicles = seg->second->vehicles;
    const uint64_t position = std::strtoull((*f)[1].c_str(), nullptr, 10);
    if (position == vehicles.size()) {
      vehicles.push_back({(*f)[3], {}, 0, 0});
    } else if (position + 1 != vehicles.size() || vehicles.back().vin != (*f)[3]) {
      return bad(cohorts_file, "line " + std::to_string(at) + ": out of cohort order");
    }
    PlannedVehicle& v = vehicles.back();
    PlannedEcu e{(*f)[4], (*f)[5], (*f)[6], (*f)[7]};
    const auto b = bytes_of.find({e.hardware_id, e.installed_version});
    if (b == bytes_of.end()) return bad(cohorts_file, "line " + std::to_string(at) + ": not in the plan's matrix");
    const auto with_overhead = uint64_t(double(b->second) * (1 + p.protocol_overhead) + 0.5);
    v.bytes += with_overhead;
    v.micro_usd += uint64_t(double(with_overhead) * p.price(e.region) + 0.5);  // bytes/1e6 x $/MB x 1e6
    v.ecus.push_back(std::move(e));
    ++ecus;
  }
  uint64_t vehicles = 0;
  for (const auto& s : p.segments) {
    vehicles += s.vehicles.size();
    if (!s.stage_end.empty() && s.stage_end.back() > s.vehicles.size())
      return bad(cohorts_file, "segment '" + s.name + "' has fewer vehicles than plan.json");
  }
  if (vehicles != p.vehicles || ecus != p.ecus) return bad(cohorts_file, "does not hold the vehicles plan.json counts");
  return p;
}

}  // namespace ota::release
