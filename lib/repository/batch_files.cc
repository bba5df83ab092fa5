#include "repository/batch_files.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

namespace ota::repository {
namespace {

namespace fs = std::filesystem;

Error at(const YAML::Node& node, const std::string& what, const std::string& message) {
  return Error{Errc::invalid_argument, what + ": line " + std::to_string(node.Mark().line + 1) + ": " + message};
}

Result<void> only_fields(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& what) {
  if (!map.IsMap()) return at(map, what, "expected a mapping");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return at(kv.first, what, "unknown field \"" + key + "\"");
  }
  return {};
}

Result<YAML::Node> load(const std::string& text, const std::string& what) {
  try {
    YAML::Node doc = YAML::Load(text);
    if (!doc.IsMap()) return Error{Errc::invalid_argument, what + ": expected a mapping at the top"};
    return doc;
  } catch (const YAML::Exception& e) {
    return Error{Errc::corrupt, what + " is not valid YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
}

std::string resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return (path.is_relative() ? (base / path).lexically_normal() : path).string();
}

}  // namespace

Result<void> check_vehicle_id(const std::string& v) {
  bool ok = !v.empty() && v != "." && v != ".." && v.size() <= 128;
  for (char c : v) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!ok)
    return Error{Errc::invalid_argument, "vehicle id '" + v + "': use 1-128 letters, digits, '.', '_' or '-'"};
  return {};
}

Result<std::vector<AddRequest>> parse_release(const std::string& text, const fs::path& base) {
  const std::string what = "release file";
  auto doc = load(text, what);
  if (!doc) return std::move(doc).error();
  std::vector<AddRequest> out;
  try {
    OTA_TRY(only_fields(*doc, {"version", "priority", "chunk_size", "release_counter", "targets"}, what));
    AddRequest defaults;
    defaults.version = (*doc)["version"] ? (*doc)["version"].as<std::string>() : "";
    if ((*doc)["priority"]) defaults.priority = (*doc)["priority"].as<std::string>();
    if ((*doc)["chunk_size"]) defaults.chunk_size = (*doc)["chunk_size"].as<uint64_t>();
    if ((*doc)["release_counter"]) defaults.release_counter = (*doc)["release_counter"].as<uint64_t>();
    const YAML::Node targets = (*doc)["targets"];
    if (!targets || !targets.IsSequence() || targets.size() == 0)
      return Error{Errc::invalid_argument, what + ": \"targets\" must list at least one target"};
    std::set<std::string> names;
    for (const auto& t : targets) {
      OTA_TRY(only_fields(t, {"name", "file", "hardware_ids", "version", "deltas", "priority", "chunk_size",
                              "release_counter", "role"},
                          what));
      for (const char* required : {"name", "file", "hardware_ids"})
        if (!t[required]) return at(t, what, std::string("a target needs \"") + required + "\"");
      AddRequest r = defaults;
      r.name = t["name"].as<std::string>();
      if (!names.insert(r.name).second) return at(t, what, "target '" + r.name + "' is listed twice");
      r.file = resolve(base, t["file"].as<std::string>());
      r.hardware_ids = t["hardware_ids"].as<std::vector<std::string>>();
      if (t["version"]) r.version = t["version"].as<std::string>();
      if (r.version.empty()) return at(t, what, "target '" + r.name + "' has no version (set it or a file-wide one)");
      if (t["priority"]) r.priority = t["priority"].as<std::string>();
      if (t["chunk_size"]) r.chunk_size = t["chunk_size"].as<uint64_t>();
      if (t["release_counter"]) r.release_counter = t["release_counter"].as<uint64_t>();
      if (t["role"]) r.role = t["role"].as<std::string>();
      if (const YAML::Node d = t["deltas"]) {
        if (!d.IsMap()) return at(d, what, "\"deltas\" maps FROM_VERSION to a patch file");
        for (const auto& kv : d) r.deltas.push_back({kv.first.as<std::string>(), resolve(base, kv.second.as<std::string>())});
      }
      out.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return Error{Errc::invalid_argument, what + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return out;
}

Result<std::vector<VehicleAssignment>> parse_fleet(const std::string& text) {
  const std::string what = "fleet file";
  auto doc = load(text, what);
  if (!doc) return std::move(doc).error();
  std::vector<VehicleAssignment> out;
  try {
    OTA_TRY(only_fields(*doc, {"vehicles"}, what));
    const YAML::Node vehicles = (*doc)["vehicles"];
    if (!vehicles || !vehicles.IsSequence() || vehicles.size() == 0)
      return Error{Errc::invalid_argument, what + ": \"vehicles\" must list at least one vehicle"};
    std::set<std::string> vins;
    for (const auto& v : vehicles) {
      OTA_TRY(only_fields(v, {"vin", "ecus"}, what));
      if (!v["vin"]) return at(v, what, "a vehicle needs \"vin\"");
      VehicleAssignment a;
      a.vehicle = v["vin"].as<std::string>();
      if (auto ok = check_vehicle_id(a.vehicle); !ok) return at(v, what, ok.error().message);
      if (!vins.insert(a.vehicle).second) return at(v, what, "vehicle '" + a.vehicle + "' is listed twice");
      if (const YAML::Node ecus = v["ecus"]) {
        if (!ecus.IsSequence()) return at(ecus, what, "\"ecus\" must be a list");
        for (const auto& e : ecus) {
          OTA_TRY(only_fields(e, {"serial", "hardware_id", "target", "installed_version"}, what));
          for (const char* required : {"serial", "hardware_id", "target"})
            if (!e[required]) return at(e, what, std::string("an ECU needs \"") + required + "\"");
          EcuAssignment ecu{e["serial"].as<std::string>(), e["hardware_id"].as<std::string>(),
                            e["target"].as<std::string>(), {}};
          if (e["installed_version"]) ecu.installed_version = e["installed_version"].as<std::string>();
          a.ecus.push_back(std::move(ecu));
        }
      }
      out.push_back(std::move(a));
    }
  } catch (const YAML::Exception& e) {
    return Error{Errc::invalid_argument, what + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return out;
}

}  // namespace ota::repository
