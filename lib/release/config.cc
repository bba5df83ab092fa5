#include "release/config.h"

#include <yaml-cpp/yaml.h>

#include <limits>
#include <set>

#include "release/cohort.h"

namespace ota::release {
namespace {

namespace fs = std::filesystem;

struct Reader {
  std::string file;
  fs::path base;

  Error at(const YAML::Node& node, const std::string& field, const std::string& message) const {
    return Error{Errc::invalid_argument,
                 file + ":" + std::to_string(node.Mark().line + 1) + ": " + field + ": " + message};
  }
  Result<void> only(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) return at(map, where, "expected a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) return at(kv.first, where.empty() ? key : where + "." + key, "unknown field");
    }
    return {};
  }
  Result<YAML::Node> need(const YAML::Node& map, const char* key, const std::string& where) const {
    YAML::Node n = map[key];
    if (!n) return at(map, where.empty() ? key : where + "." + key, "missing");
    return n;
  }
  Result<std::string> text(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar() || n.Scalar().empty()) return at(n, field, "expected a non-empty string");
    return n.Scalar();
  }
  Result<double> number(const YAML::Node& n, const std::string& field, double low, double high) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !(v >= low && v <= high))
      return at(n, field, "expected a number from " + std::to_string(low) + " to " + std::to_string(high));
    return v;
  }
  Result<uint64_t> count(const YAML::Node& n, const std::string& field) const {
    uint64_t v = 0;
    const std::string& s = n.Scalar();
    if (!n.IsScalar() || s.empty() || s.find_first_not_of("0123456789") != std::string::npos ||
        !YAML::convert<uint64_t>::decode(n, v))
      return at(n, field, "expected a whole number");
    return v;
  }
  // An optional field: `out` keeps its default when the field is absent.
  Result<void> opt_number(const YAML::Node& map, const char* key, const std::string& where, double low, double high,
                          double& out) const {
    if (!map[key]) return {};
    auto v = number(map[key], where + "." + key, low, high);
    if (!v) return std::move(v).error();
    out = *v;
    return {};
  }
  template <class Int>
  Result<void> opt_count(const YAML::Node& map, const char* key, const std::string& where, Int& out) const {
    if (!map[key]) return {};
    auto v = count(map[key], where + "." + key);
    if (!v) return std::move(v).error();
    out = Int(std::min<uint64_t>(*v, std::numeric_limits<Int>::max()));
    return {};
  }
  fs::path path(const std::string& p) const {
    const fs::path q(p);
    return q.is_relative() ? (base / q).lexically_normal() : q;
  }
};

Result<void> read_images(const Reader& r, const YAML::Node& list, ReleaseConfig& c) {
  if (!list.IsSequence() || list.size() == 0) return r.at(list, "images", "expected a list of at least one image");
  std::set<std::string> ids;
  for (const auto& img : list) {
    OTA_TRY(r.only(img, "images[]", {"hardware_id", "file", "sources"}));
    ImageSpec spec;
    spec.line = uint32_t(img.Mark().line + 1);
    auto id = r.need(img, "hardware_id", "images[]");
    if (!id) return std::move(id).error();
    auto id_text = r.text(*id, "images[].hardware_id");
    if (!id_text) return std::move(id_text).error();
    spec.hardware_id = *id_text;
    if (!ids.insert(spec.hardware_id).second) return r.at(*id, "images[].hardware_id", "'" + spec.hardware_id + "' twice");
    auto file = r.need(img, "file", "images[]");
    if (!file) return std::move(file).error();
    auto file_text = r.text(*file, "images[].file");
    if (!file_text) return std::move(file_text).error();
    spec.file = r.path(*file_text);
    if (const YAML::Node sources = img["sources"]) {
      if (!sources.IsMap()) return r.at(sources, "images[].sources", "expected a mapping of version: file");
      for (const auto& kv : sources) {
        auto version = r.text(kv.first, "images[].sources");
        if (!version) return std::move(version).error();
        auto src = r.text(kv.second, "images[].sources." + *version);
        if (!src) return std::move(src).error();
        spec.sources[*version] = r.path(*src);
      }
    }
    c.images.push_back(std::move(spec));
  }
  return {};
}

Result<void> read_campaign(const Reader& r, const YAML::Node& n, ReleaseConfig& c) {
  OTA_TRY(r.only(n, "campaign", {"seed", "stages", "gate", "abort"}));
  auto seed = r.need(n, "seed", "campaign");
  if (!seed) return std::move(seed).error();
  auto seed_value = r.count(*seed, "campaign.seed");
  if (!seed_value) return std::move(seed_value).error();
  c.seed = *seed_value;
  auto stages = r.need(n, "stages", "campaign");
  if (!stages) return std::move(stages).error();
  if (!stages->IsSequence() || stages->size() == 0) return r.at(*stages, "campaign.stages", "expected a list of stages");
  std::set<std::string> names;
  for (const auto& s : *stages) {
    OTA_TRY(r.only(s, "campaign.stages[]", {"name", "percent", "min_per_segment"}));
    Stage stage;
    auto name = r.need(s, "name", "campaign.stages[]");
    if (!name) return std::move(name).error();
    auto name_text = r.text(*name, "campaign.stages[].name");
    if (!name_text) return std::move(name_text).error();
    stage.name = *name_text;
    if (!names.insert(stage.name).second) return r.at(*name, "campaign.stages[].name", "'" + stage.name + "' twice");
    auto percent = r.need(s, "percent", "campaign.stages[]");
    if (!percent) return std::move(percent).error();
    auto milli = parse_percent(percent->IsScalar() ? percent->Scalar() : "");
    if (!milli) return r.at(*percent, "campaign.stages[].percent", milli.error().message);
    stage.milli_percent = *milli;
    if (!c.stages.empty() && stage.milli_percent <= c.stages.back().milli_percent)
      return r.at(*percent, "campaign.stages[].percent", "must be above the previous stage's");
    if (const YAML::Node m = s["min_per_segment"]) {
      auto v = r.count(m, "campaign.stages[].min_per_segment");
      if (!v) return std::move(v).error();
      stage.min_per_segment = *v;
    }
    c.stages.push_back(std::move(stage));
  }
  if (const YAML::Node g = n["gate"]) {
    OTA_TRY(r.only(g, "campaign.gate", {"min_success", "confidence", "min_executed", "max_extensions"}));
    OTA_TRY(r.opt_number(g, "min_success", "campaign.gate", 0, 1, c.gate.min_success));
    OTA_TRY(r.opt_number(g, "confidence", "campaign.gate", 0.5, 0.999999, c.gate.confidence));
    OTA_TRY(r.opt_count(g, "min_executed", "campaign.gate", c.gate.min_executed));
    OTA_TRY(r.opt_count(g, "max_extensions", "campaign.gate", c.gate.max_extensions));
  }
  if (const YAML::Node a = n["abort"]) {
    OTA_TRY(r.only(a, "campaign.abort", {"max_failure", "confidence", "min_executed", "action"}));
    OTA_TRY(r.opt_number(a, "max_failure", "campaign.abort", 0, 1, c.abort.max_failure));
    OTA_TRY(r.opt_number(a, "confidence", "campaign.abort", 0.5, 0.999999, c.abort.confidence));
    OTA_TRY(r.opt_count(a, "min_executed", "campaign.abort", c.abort.min_executed));
    if (a["action"]) {
      const std::string action = a["action"].IsScalar() ? a["action"].Scalar() : "";
      if (action == "rollback") c.abort_action = AbortAction::rollback;
      else if (action == "halt") c.abort_action = AbortAction::halt;
      else return r.at(a["action"], "campaign.abort.action", "expected rollback or halt");
    }
  }
  return {};
}

Result<void> read_cost(const Reader& r, const YAML::Node& n, ReleaseConfig& c) {
  OTA_TRY(r.only(n, "cost", {"usd_per_mb", "default_usd_per_mb", "protocol_overhead"}));
  if (const YAML::Node m = n["usd_per_mb"]) {
    if (!m.IsMap()) return r.at(m, "cost.usd_per_mb", "expected a mapping of region: price");
    for (const auto& kv : m) {
      auto region = r.text(kv.first, "cost.usd_per_mb");
      if (!region) return std::move(region).error();
      auto price = r.number(kv.second, "cost.usd_per_mb." + *region, 0, 1e6);
      if (!price) return std::move(price).error();
      c.usd_per_mb[*region] = *price;
    }
  }
  OTA_TRY(r.opt_number(n, "default_usd_per_mb", "cost", 0, 1e6, c.default_usd_per_mb));
  OTA_TRY(r.opt_number(n, "protocol_overhead", "cost", 0, 10, c.protocol_overhead));
  return {};
}

}  // namespace

Result<ReleaseConfig> parse_release_config(const std::string& text, const fs::path& file) {
  const Reader r{file.string(), file.parent_path()};
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{Errc::invalid_argument, r.file + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg};
  }
  ReleaseConfig c;
  try {
    if (!doc.IsMap()) return Error{Errc::invalid_argument, r.file + ":1: expected a mapping at the top"};
    OTA_TRY(r.only(doc, "", {"release", "images", "inventory", "deltas", "segments", "campaign", "cost", "repository"}));
    auto release = r.need(doc, "release", "");
    if (!release) return std::move(release).error();
    OTA_TRY(r.only(*release, "release", {"id", "version"}));
    for (auto [key, out] : {std::pair<const char*, std::string*>{"id", &c.id}, {"version", &c.version}}) {
      auto n = r.need(*release, key, "release");
      if (!n) return std::move(n).error();
      auto t = r.text(*n, std::string("release.") + key);
      if (!t) return std::move(t).error();
      *out = *t;
    }
    auto images = r.need(doc, "images", "");
    if (!images) return std::move(images).error();
    OTA_TRY(read_images(r, *images, c));
    auto inventory = r.need(doc, "inventory", "");
    if (!inventory) return std::move(inventory).error();
    auto inv = r.text(*inventory, "inventory");
    if (!inv) return std::move(inv).error();
    c.inventory = r.path(*inv);
    c.inventory_line = uint32_t(inventory->Mark().line + 1);
    if (const YAML::Node d = doc["deltas"]) {
      OTA_TRY(r.only(d, "deltas", {"min_share", "max_ratio"}));
      OTA_TRY(r.opt_number(d, "min_share", "deltas", 0, 1, c.min_share));
      OTA_TRY(r.opt_number(d, "max_ratio", "deltas", 0, 10, c.max_ratio));
    }
    if (const YAML::Node s = doc["segments"]) {
      if (!s.IsSequence()) return r.at(s, "segments", "expected a list");
      for (const auto& item : s) {
        const std::string name = item.IsScalar() ? item.Scalar() : "";
        if (name != "region" && name != "hardware_id") return r.at(item, "segments", "expected region or hardware_id");
        for (const auto& seen : c.segments)
          if (seen == name) return r.at(item, "segments", "'" + name + "' twice");
        c.segments.push_back(name);
      }
    }
    auto campaign = r.need(doc, "campaign", "");
    if (!campaign) return std::move(campaign).error();
    OTA_TRY(read_campaign(r, *campaign, c));
    if (const YAML::Node cost = doc["cost"]) OTA_TRY(read_cost(r, cost, c));
    auto repo = r.need(doc, "repository", "");
    if (!repo) return std::move(repo).error();
    OTA_TRY(r.only(*repo, "repository", {"config"}));
    auto repo_config = r.need(*repo, "config", "repository");
    if (!repo_config) return std::move(repo_config).error();
    auto repo_text = r.text(*repo_config, "repository.config");
    if (!repo_text) return std::move(repo_text).error();
    c.repo_config = r.path(*repo_text);
  } catch (const YAML::Exception& e) {
    return Error{Errc::invalid_argument, r.file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return c;
}

}  // namespace ota::release
