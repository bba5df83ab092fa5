#include "release/plan_files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "delta/release.h"
#include "io/write_atomic.h"
#include "release/inventory.h"

namespace ota::release {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::unique_ptr<io::InputFile>> read_input(io::Storage& storage, const fs::path& config_file, uint32_t line,
                                                  const std::string& field, const fs::path& path) {
  auto in = storage.open_input(path);
  if (!in)
    return Error{in.error().code, config_file.string() + ":" + std::to_string(line) + ": " + field + ": " +
                                      in.error().message};
  return in;
}

std::string usd(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

std::string percent(uint32_t milli) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%03u", milli / 1000, milli % 1000);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

json plan_document(const PlanInputs& in, const Plan& plan, const CostTable& cost, const PayloadSizes& payload) {
  const ReleaseConfig& c = in.config;
  json images = json::array();
  for (const auto& img : c.images) {
    const ImageFacts& f = in.images.at(img.hardware_id);
    json sources = json::array();
    for (const auto& [version, path] : img.sources)
      sources.push_back({{"version", version}, {"file", path.generic_string()}, {"sha256", in.file_sha256.at(path.string())},
                         {"size", in.file_size.at(path.string())}});
    images.push_back({{"hardware_id", img.hardware_id},
                      {"file", img.file.generic_string()},
                      {"sha256", f.sha256},
                      {"size", f.size},
                      {"full_image_size", f.size ? f.full_size : 0},
                      {"sources", sources}});
  }
  json matrix = json::array();
  for (const auto& e : plan.matrix) {
    const std::string kind = e.from_version == c.version ? "none" : e.delta ? "delta" : "full";
    json m = {{"hardware_id", e.hardware_id}, {"from_version", e.from_version}, {"ecus", e.ecus},
              {"payload", kind}, {"reason", e.reason},
              {"estimated_bytes", payload.at({e.hardware_id, e.from_version})}};
    for (const auto& img : c.images)
      if (img.hardware_id == e.hardware_id && img.sources.count(e.from_version))
        m["source_sha256"] = in.file_sha256.at(img.sources.at(e.from_version).string());
    matrix.push_back(std::move(m));
  }
  json stages = json::array();
  for (const auto& s : c.stages) {
    json st = {{"name", s.name}, {"percent", percent(s.milli_percent)}};
    if (s.min_per_segment) st["min_per_segment"] = s.min_per_segment;
    stages.push_back(std::move(st));
  }
  json segments = json::array();
  std::map<size_t, std::vector<std::string>> pools;
  for (const auto& s : plan.segments) {
    for (size_t k = 0; k < s.gate_group.size(); ++k)
      if (s.gate_group[k] == "pooled") pools[k].push_back(s.name);
    segments.push_back({{"name", s.name}, {"vehicles", s.vins.size()}, {"stage_end", s.stage_end},
                        {"gate_group", s.gate_group}});
  }
  json pooled = json::array();
  for (const auto& [k, names] : pools) pooled.push_back({{"stage", c.stages[k].name}, {"segments", names}});
  json rows = json::array();
  for (const auto& r : cost.rows)
    rows.push_back({{"stage", r.stage}, {"segment", r.segment}, {"region", r.region}, {"vehicles", r.vehicles},
                    {"ecus", r.ecus}, {"payload_bytes", r.payload_bytes}, {"overhead_bytes", r.overhead_bytes},
                    {"usd", usd(r.usd)}});
  json after = json::array();
  for (size_t k = 0; k < c.stages.size(); ++k)
    after.push_back({{"stage", c.stages[k].name}, {"usd", usd(cost.usd_after_stage[k])}});
  json rates = json::object();
  for (const auto& [region, price] : c.usd_per_mb) rates[region] = price;
  return {
      {"format", "ota-release-plan"},
      {"format_version", 1},
      {"release", {{"id", c.id}, {"version", c.version}}},
      {"config", in.config_file.generic_string()},
      {"inventory", c.inventory.generic_string()},
      {"repository_config", c.repo_config.generic_string()},
      {"images", images},
      {"deltas", {{"min_share", c.min_share}, {"max_ratio", c.max_ratio}}},
      {"matrix", matrix},
      {"segment_fields", c.segments},
      {"seed", c.seed},
      {"stages", stages},
      {"gate", {{"min_success", c.gate.min_success}, {"confidence", c.gate.confidence},
                {"min_executed", c.gate.min_executed}, {"max_extensions", c.gate.max_extensions}}},
      {"abort", {{"max_failure", c.abort.max_failure}, {"confidence", c.abort.confidence},
                 {"min_executed", c.abort.min_executed},
                 {"action", c.abort_action == AbortAction::rollback ? "rollback" : "halt"}}},
      {"vehicles", plan.vehicles},
      {"ecus", plan.ecus},
      {"segments", segments},
      {"pooled", pooled},
      {"cost", {{"basis", "estimate: every delta at max_ratio of the compressed full image (an upper bound); "
                          "ota-release merge recomputes it from the real sizes"},
                {"usd_per_mb", rates},
                {"default_usd_per_mb", c.default_usd_per_mb},
                {"protocol_overhead", c.protocol_overhead},
                {"rows", rows},
                {"usd_after_stage", after},
                {"usd_total", usd(cost.usd_total)},
                {"usd_full_images", usd(cost.usd_full_images)}}},
  };
}

}  // namespace

Result<PlanInputs> load_inputs(io::Storage& storage, const fs::path& config_file) {
  PlanInputs in;
  in.config_file = config_file;
  auto text = storage.open_input(config_file);
  if (!text) return Error{text.error().code, config_file.string() + ": cannot read: " + text.error().message};
  const ByteView raw = (*text)->bytes();
  auto config = parse_release_config(std::string(raw.begin(), raw.end()), config_file);
  if (!config) return std::move(config).error();
  in.config = std::move(*config);
  auto lock = [&](const std::string& role, const fs::path& path, ByteView bytes) {
    const std::string hex = to_hex(crypto::sha256(bytes));
    in.files.push_back({role, path, hex, bytes.size()});
    in.file_sha256[path.string()] = hex;
    in.file_size[path.string()] = bytes.size();
    return hex;
  };
  lock("release", config_file, raw);

  auto inv_file = read_input(storage, config_file, in.config.inventory_line, "inventory", in.config.inventory);
  if (!inv_file) return std::move(inv_file).error();
  const ByteView inv_raw = (*inv_file)->bytes();
  auto inventory = parse_inventory(std::string_view(reinterpret_cast<const char*>(inv_raw.data()), inv_raw.size()),
                                   in.config.inventory.string());
  if (!inventory) return std::move(inventory).error();
  in.inventory = std::move(*inventory);
  lock("inventory", in.config.inventory, inv_raw);

  for (const auto& img : in.config.images) {
    auto file = read_input(storage, config_file, img.line, "images[].file", img.file);
    if (!file) return std::move(file).error();
    ImageFacts facts;
    facts.size = (*file)->bytes().size();
    facts.sha256 = lock("image", img.file, (*file)->bytes());
    auto full = delta::compress_full_image((*file)->bytes(), 1);
    if (!full) return std::move(full).error().with_context("compressing " + img.file.string());
    facts.full_size = full->size();
    in.images[img.hardware_id] = facts;
    for (const auto& [version, path] : img.sources) {
      auto src = read_input(storage, config_file, img.line, "images[].sources." + version, path);
      if (!src) return std::move(src).error();
      lock("source", path, (*src)->bytes());
    }
  }
  std::sort(in.files.begin(), in.files.end(),
            [](const LockedFile& a, const LockedFile& b) { return std::tie(a.path, a.role) < std::tie(b.path, b.role); });
  return in;
}

Result<PlanOutput> write_plan(io::Storage& storage, const PlanInputs& in, const fs::path& out) {
  auto plan = make_plan(in.config, in.inventory, in.config.inventory.string());
  if (!plan) return std::move(plan).error();
  PayloadSizes payload;
  std::map<std::string, uint64_t> full_sizes;
  for (const auto& [hw, facts] : in.images) full_sizes[hw] = facts.full_size;
  for (const auto& e : plan->matrix) {
    const uint64_t full = full_sizes.at(e.hardware_id);
    payload[{e.hardware_id, e.from_version}] =
        e.from_version == in.config.version ? 0 : e.delta ? uint64_t(double(full) * in.config.max_ratio) : full;
  }
  PlanOutput o;
  o.cost = estimate_cost(in.config, in.inventory, *plan, payload, full_sizes);

  // cohorts.csv: segment, then cohort order; a vehicle's ECUs in inventory order.
  std::map<std::string, std::vector<const InventoryRow*>> ecus_of;
  for (const auto& row : in.inventory.rows) ecus_of[row.vin].push_back(&row);
  std::string csv = "segment,position,stage,vin,ecu_serial,hardware_id,installed_version,region\n";
  for (const auto& s : plan->segments) {
    size_t k = 0;
    for (size_t i = 0; i < s.vins.size(); ++i) {
      while (k < s.stage_end.size() && i >= s.stage_end[k]) ++k;
      const std::string stage = k < in.config.stages.size() ? in.config.stages[k].name : "";
      for (const InventoryRow* r : ecus_of[s.vins[i]])
        csv += csv_field(s.name) + "," + std::to_string(i) + "," + csv_field(stage) + "," + csv_field(r->vin) + "," +
               csv_field(r->ecu_serial) + "," + csv_field(r->hardware_id) + "," + csv_field(r->installed_version) + "," +
               csv_field(r->region) + "\n";
    }
  }
  nlohmann::json lock = {{"format", "ota-release-plan-lock"}, {"format_version", 1}, {"files", nlohmann::json::array()}};
  for (const auto& f : in.files)
    lock["files"].push_back({{"role", f.role}, {"path", f.path.generic_string()}, {"sha256", f.sha256}, {"size", f.size}});
  const std::string plan_text = plan_document(in, *plan, o.cost, payload).dump(2) + "\n";
  const std::string lock_text = lock.dump(2) + "\n";

  OTA_TRY(storage.create_directories(out));
  o.plan_json = out / "plan.json";
  o.cohorts_csv = out / "cohorts.csv";
  o.plan_lock = out / "plan.lock";
  std::vector<fs::path> written;
  auto put = [&](const fs::path& dest, const std::string& text) -> Result<void> {
    auto r = io::write_atomic(storage, dest, io::FileMode::kPublic, [&](io::Writer& w) {
      return w.write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    });
    if (!r) {
      for (const auto& p : written) storage.remove(p);
      return std::move(r).error().with_context("writing " + dest.string());
    }
    written.push_back(dest);
    return {};
  };
  OTA_TRY(put(o.cohorts_csv, csv));
  OTA_TRY(put(o.plan_lock, lock_text));
  OTA_TRY(put(o.plan_json, plan_text));
  o.plan = std::move(*plan);
  return o;
}

}  // namespace ota::release
