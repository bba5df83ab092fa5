#include "agent/plan.h"

#include <algorithm>

#include "core/hex.h"

namespace ota::agent {
namespace {

using nlohmann::json;

Error rejected(std::string what) { return Error{Errc::rejected, std::move(what)}; }

Result<Sha256> sha_of(const json& value, const std::string& what) {
  if (value.is_string())
    if (auto bytes = from_hex(value.get<std::string>()); bytes && bytes->size() == 32) {
      Sha256 out;
      std::copy(bytes->begin(), bytes->end(), out.begin());
      return out;
    }
  return rejected(what + " is not a SHA-256 in hex");
}

Result<std::vector<Sha256>> chunks_of(const json& chunks, const std::string& what, uint64_t& chunk_size) {
  if (!chunks.is_object() || !chunks.contains("size") || !chunks["size"].is_number_unsigned() ||
      !chunks.contains("sha256") || !chunks["sha256"].is_array())
    return rejected(what + " has no chunk hashes: the agent checks every chunk before it reaches flash");
  chunk_size = chunks["size"].get<uint64_t>();
  std::vector<Sha256> out;
  for (const auto& h : chunks["sha256"]) {
    auto sha = sha_of(h, what + " chunk hash");
    if (!sha) return std::move(sha).error();
    out.push_back(*sha);
  }
  return out;
}

Result<Payload> payload_of(const client::TargetInfo& target, const json& chunks) {
  Payload p;
  p.name = target.path;
  p.length = target.file.length;
  auto it = target.file.hashes.find("sha256");
  if (it == target.file.hashes.end()) return rejected("target '" + target.path + "' has no sha256");
  auto sha = sha_of(it->second, "target '" + target.path + "' sha256");
  if (!sha) return std::move(sha).error();
  p.sha256 = *sha;
  auto list = chunks_of(chunks, "target '" + target.path + "'", p.chunk_size);
  if (!list) return std::move(list).error();
  p.chunks = std::move(*list);
  return p;
}

bool same_file(const metadata::TargetFile& a, const metadata::TargetFile& b) {
  return a.length == b.length && a.hashes == b.hashes;
}

std::string field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                                                : std::string();
}

}  // namespace

Result<std::optional<UpdatePlan>> plan_update(client::Updater& director, client::Updater& images,
                                              const DeviceIdentity& device) {
  const metadata::Targets* top = director.top_targets();
  if (!top) return Error{Errc::invalid_argument, "the director's metadata was not refreshed"};
  const std::string vehicle = top->custom ? field(*top->custom, "vehicle") : std::string();
  if (vehicle != device.vin)
    return rejected("the director's metadata is for vehicle '" + vehicle + "', this is '" + device.vin + "'");

  // The director's entry for this ECU: exactly one.
  const std::string* assigned = nullptr;
  json ecu;
  for (const auto& [name, file] : top->targets) {
    if (!file.custom || !file.custom->is_object() || !file.custom->contains("ecu_identifiers")) continue;
    const json& ids = (*file.custom)["ecu_identifiers"];
    if (!ids.is_object() || !ids.contains(device.ecu_serial)) continue;
    if (assigned) return rejected("the director assigns two targets to ECU '" + device.ecu_serial + "': '" + *assigned +
                                  "' and '" + name + "'");
    assigned = &name;
    ecu = ids[device.ecu_serial];
  }
  if (!assigned) return std::optional<UpdatePlan>();
  const metadata::TargetFile& order = top->targets.at(*assigned);
  if (field(ecu, "hardware_id") != device.hardware_id)
    return rejected("the director assigns '" + *assigned + "' to ECU '" + device.ecu_serial + "' as hardware id '" +
                    field(ecu, "hardware_id") + "'; this ECU is '" + device.hardware_id + "'");
  const std::string image_name = field(*order.custom, "image").empty() ? *assigned : field(*order.custom, "image");

  // The image repository must list the image, and the director's file with the same bytes.
  auto image = images.find_target(image_name);
  if (!image) return std::move(image).error().with_context("the image repository");
  auto listed = images.find_target(*assigned);
  if (!listed) return std::move(listed).error().with_context("the image repository");
  if (!same_file(listed->file, order))
    return rejected("the director's '" + *assigned + "' differs from the image repository's (length or hashes)");
  if (!image->file.custom || !image->file.custom->is_object())
    return rejected("image '" + image_name + "' has no custom metadata");
  const json& custom = *image->file.custom;
  const auto& hw = custom.value("hardware_ids", json::array());
  if (!hw.is_array() || std::find(hw.begin(), hw.end(), json(device.hardware_id)) == hw.end())
    return rejected("image '" + image_name + "' does not list hardware id '" + device.hardware_id + "'");

  UpdatePlan plan;
  plan.target = image_name;
  plan.version = field(custom, "version");
  auto payload = payload_of(*image, custom.value("chunks", json()));
  if (!payload) return std::move(payload).error();
  plan.image = std::move(*payload);
  const json slot = custom.value("slot_image", json());
  if (!slot.is_object()) return rejected("image '" + image_name + "' is not a slot image (no slot_image in its metadata)");
  auto digest = sha_of(slot.value("digest", json()), "image '" + image_name + "' slot digest");
  if (!digest) return std::move(digest).error();
  plan.slot_digest = *digest;
  plan.security_counter = slot.value("security_counter", 0u);
  plan.slot_version = field(slot, "version");
  plan.hardware_id = field(slot, "hardware_id");

  if (*assigned != image_name) {  // a patch: it must be the image's delta from the ECU's version
    const std::string from = field(ecu, "delta_from");
    const json deltas = custom.value("deltas", json::object());
    const json entry = deltas.is_object() && deltas.contains(from) ? deltas[from] : json();
    if (!entry.is_object() || field(entry, "target") != *assigned)
      return rejected("the director assigns '" + *assigned + "', which is not image '" + image_name + "''s delta from '" +
                      from + "'");
    auto patch = payload_of(*listed, entry.value("chunks", json()));
    if (!patch) return std::move(patch).error();
    if (patch->length != entry.value("length", uint64_t(0)) || to_hex(patch->sha256) != field(entry.value("hashes", json()), "sha256"))
      return rejected("patch '" + *assigned + "' differs from the delta image '" + image_name + "' lists");
    plan.patch = std::move(*patch);
    plan.patch_algorithm = field(entry, "algorithm");
    plan.from_version = from;
  }
  return std::optional<UpdatePlan>(std::move(plan));
}

}  // namespace ota::agent
