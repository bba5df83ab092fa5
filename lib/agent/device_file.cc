#include "agent/device_file.h"

#include <yaml-cpp/yaml.h>

namespace ota::agent {
namespace {

Error invalid(std::string what) { return Error{Errc::invalid_argument, "device file: " + std::move(what)}; }

// 1-128 printable ASCII characters without spaces: what the director's metadata can carry.
bool plain(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (c <= ' ' || c > '~') return false;
  return true;
}

}  // namespace

Result<DeviceIdentity> parse_device_file(std::string_view text, const image::Layout& layout) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return invalid("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!doc.IsMap()) return invalid("expected a mapping with vin and ecu_serial");
  DeviceIdentity id;
  id.hardware_id = layout.hardware_id;
  for (const auto& kv : doc) {
    const std::string key = kv.first.Scalar();
    if (!kv.second.IsScalar()) return invalid("'" + key + "' must be a string");
    const std::string value = kv.second.Scalar();
    if (key == "vin") id.vin = value;
    else if (key == "ecu_serial") id.ecu_serial = value;
    else if (key == "director_root") id.director_root = value;
    else if (key == "hardware_id") {
      if (value != layout.hardware_id)
        return invalid("hardware_id '" + value + "' is not the flash layout's '" + layout.hardware_id + "'");
    } else {
      return invalid("unknown field '" + key + "'; use vin, ecu_serial, hardware_id and director_root");
    }
  }
  if (!plain(id.vin)) return invalid("vin must be 1-128 printable characters without spaces");
  if (!plain(id.ecu_serial)) return invalid("ecu_serial must be 1-128 printable characters without spaces");
  return id;
}

}  // namespace ota::agent
