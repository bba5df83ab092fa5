#include "ota-boot/report.h"

#include "core/hex.h"
#include "ota-image/json.h"

namespace ota::tools {
namespace {

using nlohmann::json;

json or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(); }

json check_json(const boot::SlotCheck& c) {
  return {{"slot", boot::slot_name(c.slot)},
          {"region", c.region},
          {"result", std::string(image::to_string(c.code))},
          {"record_match", c.record_match},
          {"bootable", boot::bootable(c)},
          {"message", c.message.empty() ? json() : json(c.message)},
          {"version", c.version ? json(image::to_string(*c.version)) : json()},
          {"security_counter", c.version ? json(c.security_counter) : json()}};
}

std::string check_line(const boot::SlotCheck& c) {
  std::string s = "check slot " + boot::slot_name(c.slot) + " (" + c.region + "): " + std::string(image::to_string(c.code));
  if (c.code == image::VerifyCode::ok && !c.record_match) s = "check slot " + boot::slot_name(c.slot) + " (" + c.region + "): STALE_RECORD";
  if (c.version) s += ", version " + image::to_string(*c.version) + ", SEC_CNT " + std::to_string(c.security_counter);
  if (!c.message.empty()) s += ": " + c.message;
  return s;
}

}  // namespace

json to_json(const BootReport& r) {
  const boot::BootResult& b = r.boot;
  json checks = json::array();
  for (const auto& c : b.checks) checks.push_back(check_json(c));
  json booted = nullptr;
  if (b.booted) {
    const image::ParsedImage& img = *b.image;
    booted = {{"slot", boot::slot_name(*b.booted)},
              {"region", r.layout->slot(*b.booted).name},
              {"version", image::to_string(img.version)},
              {"security_counter", img.security_counter},
              {"digest", to_hex(ByteView(img.sha256))},
              {"payload_size", img.image_size}};
  }
  json health = nullptr;
  if (r.health) {
    const HealthReport& h = *r.health;
    health = {{"command", or_null(h.command)},
              {"result", std::string(agent::to_string(h.run.health))},
              {"exit_code", h.run.exit_code ? json(*h.run.exit_code) : json()},
              {"signal", h.run.signal ? json(*h.run.signal) : json()},
              {"timed_out", h.run.timed_out},
              {"action", h.action},
              {"done", h.done},
              {"detail", h.detail},
              {"writes", h.writes},
              {"floor_after", h.floor_after ? json(*h.floor_after) : json()}};
  }
  return {{"flash", r.flash},
          {"device", r.layout->device},
          {"result", b.booted ? "booted" : "recovery"},
          {"booted", booted},
          {"path", std::string(boot::to_string(b.path))},
          {"trial", b.path == boot::BootPath::trial || b.path == boot::BootPath::scan ? json{{"n", b.trial}, {"of", b.tries}} : json()},
          {"reason", b.reason},
          {"bcr", b.bcr_copy ? json{{"copy", *b.bcr_copy}, {"seq", b.bcr_seq}} : json()},
          {"floor", {{"before", b.floor_before}, {"after", b.floor_after}}},
          {"checks", checks},
          {"writes", b.writes},
          {"health", health},
          {"final", {{"boot_control", r.final_record ? to_json(*r.final_record) : json()}, {"floor", r.final_floor}}},
          {"flash_written", r.flash_written}};
}

std::string describe(const BootReport& r) {
  const boot::BootResult& b = r.boot;
  std::string s;
  for (const auto& c : b.checks) s += check_line(c) + "\n";
  for (const auto& w : b.writes) s += "write: " + w + "\n";
  if (b.booted)
    s += "booted slot " + boot::slot_name(*b.booted) + " (version " + image::to_string(b.image->version) + ", SEC_CNT " +
         std::to_string(b.image->security_counter) + ", " + std::string(boot::to_string(b.path)) + "): " + b.reason + "\n";
  else
    s += "RECOVERY: " + b.reason + "\n";
  if (b.floor_after != b.floor_before)
    s += "anti-rollback floor " + std::to_string(b.floor_before) + " -> " + std::to_string(b.floor_after) + "\n";
  if (r.health) {
    const HealthReport& h = *r.health;
    s += "health " + std::string(std::string(agent::to_string(h.run.health))) + ": " + h.detail + "\n";
    for (const auto& w : h.writes) s += "write: " + w + "\n";
  }
  s += r.flash_written ? "wrote '" + r.flash + "'" : "'" + r.flash + "' unchanged";
  return s;
}

}  // namespace ota::tools
