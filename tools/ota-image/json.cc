#include "ota-image/json.h"

#include <cstdio>

#include "core/hex.h"
#include "crypto/sha256.h"

namespace ota::tools {
namespace {

using nlohmann::json;

std::string tlv_name(uint16_t type) {
  switch (type) {
    case image::kTlvKeyHash: return "KEYHASH";
    case image::kTlvSha256: return "SHA256";
    case image::kTlvEcdsaSig: return "ECDSA_SIG";
    case image::kTlvEd25519: return "ED25519";
    case image::kTlvRsa3072Pss: return "RSA3072_PSS";
    case image::kTlvDependency: return "DEPENDENCY";
    case image::kTlvSecCnt: return "SEC_CNT";
    case image::kTlvUuidVid: return "UUID_VID";
    case image::kTlvUuidCid: return "UUID_CID";
    case image::kTlvHwId: return "HW_ID";
    case image::kTlvImageType: return "IMAGE_TYPE";
    case image::kTlvBuildInfo: return "BUILD_INFO";
  }
  return "UNKNOWN";
}

json tlvs(const std::vector<image::Tlv>& list) {
  json out = json::array();
  for (const auto& t : list)
    out.push_back({{"type", t.type}, {"name", tlv_name(t.type)}, {"offset", t.offset}, {"length", t.value.size()},
                   {"value", to_hex(t.value)}});
  return out;
}

// digest32 as the 4 image-digest bytes it holds, in digest order: "b699e24f" matches the
// start of the SHA256 TLV that `info` prints for the slot.
std::string digest32_hex(uint32_t v) {
  uint8_t b[4];
  store_le32(b, v);
  return to_hex(ByteView(b, 4));
}

std::string state_line(const image::SlotRecord& s) {
  std::string line = std::string(image::to_string(s.state)) + ", priority " + std::to_string(s.priority) + ", tries " +
                     std::to_string(s.tries_left) + ", SEC_CNT " + std::to_string(s.sec_cnt) + ", digest32 " + digest32_hex(s.digest32);
  if (s.state == image::SlotState::failed) line += ", reason " + std::string(image::to_string(s.reason));
  return line;
}

std::string slot_name(uint8_t slot) { return slot == 0 ? "A" : slot == 1 ? "B" : "none"; }

}  // namespace

json to_json(const image::ParsedImage& img, ByteView bytes) {
  json deps = json::array();
  for (const auto& d : img.dependencies) deps.push_back({{"image_id", d.image_id}, {"min_version", image::to_string(d.min_version)}});
  return {{"header",
           {{"magic", hex_number(image::kImageMagic)},
            {"load_addr", img.load_addr},
            {"header_size", img.header_size},
            {"protect_tlv_size", img.protect_tlv_size},
            {"image_size", img.image_size},
            {"flags", img.flags},
            {"rom_fixed", (img.flags & image::kFlagRomFixed) != 0},
            {"version", image::to_string(img.version)}}},
          {"protected_tlvs", tlvs(img.protected_tlvs)},
          {"unprotected_tlvs", tlvs(img.unprotected_tlvs)},
          {"security_counter", img.security_counter},
          {"hardware_id", img.hardware_id},
          {"vendor_uuid", image::to_string(img.vendor_uuid)},
          {"class_uuid", image::to_string(img.class_uuid)},
          {"image_type", img.image_type ? json(*img.image_type) : json()},
          {"build_info", img.build_info ? json(*img.build_info) : json()},
          {"dependencies", deps},
          {"digest", to_hex(ByteView(img.sha256))},
          {"size", img.total_size},
          {"file_sha256", bytes.size() >= img.total_size ? json(to_hex(ByteView(crypto::sha256(bytes.first(img.total_size)))))
                                                       : json()}};
}

json to_json(const image::VerifyReport& r) {
  json sigs = json::array();
  for (const auto& s : r.signatures)
    sigs.push_back({{"key_hash", to_hex(ByteView(s.key_hash))},
                    {"type", tlv_name(s.type)},
                    {"trusted", s.trusted},
                    {"verified", s.verified},
                    {"problem", s.problem.empty() ? json() : json(s.problem)}});
  return {{"result", std::string(image::to_string(r.code))},
          {"message", r.message.empty() ? json() : json(r.message)},
          {"hash_ok", r.hash_ok},
          {"trusted_signatures", r.trusted_signatures},
          {"signatures", sigs}};
}

json to_json(const image::Layout& l) {
  json flashes = json::array(), regions = json::array();
  for (size_t k = 0; k < l.geometry.devices.size(); ++k) {
    const flash::Device& d = l.geometry.devices[k];
    json sectors = json::array();
    for (const auto& s : d.sectors) sectors.push_back({{"size", s.size}, {"count", s.count}});
    flashes.push_back({{"name", d.name},
                       {"offset", l.geometry.device_base(k)},
                       {"size", d.size()},
                       {"sectors", sectors},
                       {"write_size", d.write_size},
                       {"page_size", d.page_size},
                       {"erased", d.erased}});
  }
  for (const auto& r : l.regions) {
    json e = {{"name", r.name}, {"flash", l.geometry.device_index(r.offset)}, {"offset", r.offset}, {"size", r.size}};
    if (r.exec_addr) e["exec_addr"] = *r.exec_addr;
    regions.push_back(e);
  }
  return {{"device", l.device},
          {"hardware_id", l.hardware_id},
          {"vendor", l.vendor},
          {"size", l.geometry.size()},
          {"flashes", flashes},
          {"regions", regions},
          {"boot", {{"tries", l.boot.tries}, {"prevent_late_fallback", l.boot.prevent_late_fallback}}},
          {"counter_slots", l.counter_slots}};
}

json to_json(const image::BootControl& b) {
  json slots = json::array();
  for (const auto& s : b.slot)
    slots.push_back({{"state", std::string(image::to_string(s.state))},
                     {"priority", s.priority},
                     {"tries_left", s.tries_left},
                     {"reason", std::string(image::to_string(s.reason))},
                     {"sec_cnt", s.sec_cnt},
                     {"digest32", digest32_hex(s.digest32)}});
  return {{"seq", b.seq},
          {"active_slot", slot_name(b.active_slot)},
          {"pending_slot", slot_name(b.pending_slot)},
          {"op", std::string(image::to_string(b.op))},
          {"prevent_late_fallback", (b.flags & image::kFlagPreventLateFallback) != 0},
          {"slots", slots},
          {"boot_attempts", b.boot_attempts}};
}

json to_json(const image::FlashInspection& f) {
  json keys = json::array();
  for (const auto& k : f.bootloader_keys) {
    const auto h = image::key_hash(k);
    bool provisioned = false;
    if (f.rot)
      for (const auto& p : f.rot->key_hashes) provisioned = provisioned || p == h;
    keys.push_back({{"algorithm", std::string(crypto::to_string(k.algorithm()))},
                    {"key_hash", to_hex(ByteView(h))},
                    {"provisioned", provisioned}});
  }
  json rot = nullptr;
  if (f.rot) {
    json hashes = json::array();
    for (const auto& h : f.rot->key_hashes) hashes.push_back(to_hex(ByteView(h)));
    rot = {{"key_hashes", hashes},
           {"threshold", f.rot->threshold},
           {"counter", f.rot->counter},
           {"counter_slots", f.rot->counter_slots},
           {"counter_used", f.rot->counter_used}};
  }
  json bcr = nullptr;
  if (f.bcr) {
    json copies = json::array();
    for (const auto& c : f.bcr->copies)
      copies.push_back({{"index", c.index}, {"valid", c.valid}, {"seq", c.valid ? json(c.seq) : json()},
                        {"problem", c.problem.empty() ? json() : json(c.problem)}});
    bcr = {{"record", to_json(f.bcr->record)}, {"copy", f.bcr->copy}, {"copies", copies}, {"warnings", f.bcr->warnings}};
  }
  json slots = json::array();
  for (const auto& s : f.slots) {
    json e = {{"region", s.region}, {"empty", s.empty}};
    if (s.report) {
      e["verification"] = to_json(*s.report);
      e["image"] = s.report->image ? json(to_json(*s.report->image, {})) : json();
    }
    e["bcr_mismatch"] = s.bcr_mismatch ? json(*s.bcr_mismatch) : json();
    slots.push_back(e);
  }
  auto problem = [](const std::optional<std::string>& p) { return p ? json(*p) : json(); };
  return {{"kind", "flash"},
          {"layout", to_json(f.layout)},
          {"layout_problem", problem(f.layout_problem)},
          {"bootloader_keys", keys},
          {"keys_problem", problem(f.keys_problem)},
          {"root_of_trust", rot},
          {"rot_problem", problem(f.rot_problem)},
          {"boot_control", bcr},
          {"bcr_problem", problem(f.bcr_problem)},
          {"slots", slots}};
}

std::string describe(const image::ParsedImage& img, const image::VerifyReport* report) {
  std::string s = "MCUboot slot image, version " + image::to_string(img.version) + ", " + std::to_string(img.total_size) +
                  " bytes\n  header: hdr_size " + std::to_string(img.header_size) + ", payload " +
                  std::to_string(img.image_size) + ", protected TLVs " + std::to_string(img.protect_tlv_size) + ", flags " +
                  hex_number(img.flags) + ((img.flags & image::kFlagRomFixed) ? " (ROM_FIXED at " + hex_number(img.load_addr) + ")" : "") +
                  "\n  hardware id '" + img.hardware_id + "', SEC_CNT " + std::to_string(img.security_counter) +
                  ", vendor " + image::to_string(img.vendor_uuid) + ", class " + image::to_string(img.class_uuid) +
                  "\n  digest (SHA256 TLV) " + to_hex(ByteView(img.sha256)) + "\n";
  for (const auto& t : img.protected_tlvs)
    s += "  protected   " + tlv_name(t.type) + " (" + hex_number(t.type) + ", " + std::to_string(t.value.size()) + " bytes)\n";
  for (const auto& t : img.unprotected_tlvs)
    s += "  unprotected " + tlv_name(t.type) + " (" + hex_number(t.type) + ", " + std::to_string(t.value.size()) + " bytes)\n";
  if (report) {
    s += "  result: " + std::string(image::to_string(report->code)) + (report->message.empty() ? "" : ": " + report->message) + "\n";
    for (const auto& c : report->signatures)
      s += "  signature by " + to_hex(ByteView(c.key_hash)).substr(0, 16) + "… " + tlv_name(c.type) + ": " +
           (c.verified ? "verified" : c.problem) + (c.trusted ? " (trusted)" : "") + "\n";
  }
  return s;
}

std::string describe(const image::FlashInspection& f) {
  std::string s = "flash image of '" + f.layout.device + "' (hardware id '" + f.layout.hardware_id + "', " +
                  std::to_string(f.layout.geometry.size()) + " bytes";
  for (const flash::Device& d : f.layout.geometry.devices)
    s += (d.name.empty() ? "" : "; flash '" + d.name + "' " + std::to_string(d.size()) + " bytes") + ", write size " +
         std::to_string(d.write_size) + ", erased " + hex_number(d.erased);
  s += ")\n";
  if (f.layout_problem) s += "  layout: " + *f.layout_problem + "\n";
  for (const auto& r : f.layout.regions) {
    char line[160];
    snprintf(line, sizeof line, "  %-10s 0x%08llx  0x%08llx", r.name.c_str(), static_cast<unsigned long long>(r.offset),
             static_cast<unsigned long long>(r.size));
    s += line + (r.exec_addr ? "  exec " + hex_number(*r.exec_addr) : std::string()) + "\n";
  }
  s += "  bootloader keys: " + (f.keys_problem ? *f.keys_problem : std::to_string(f.bootloader_keys.size())) + "\n";
  if (f.rot)
    s += "  root of trust: " + std::to_string(f.rot->key_hashes.size()) + " key hashes, threshold " +
         std::to_string(f.rot->threshold) + ", anti-rollback counter " + std::to_string(f.rot->counter) + " (" +
         std::to_string(f.rot->counter_used) + " of " + std::to_string(f.rot->counter_slots) + " entries used)\n";
  else
    s += "  root of trust: " + *f.rot_problem + "\n";
  if (f.bcr) {
    const auto& b = f.bcr->record;
    s += "  boot control (copy bcr" + std::to_string(f.bcr->copy) + ", seq " + std::to_string(b.seq) + "): active " +
         slot_name(b.active_slot) + ", pending " + slot_name(b.pending_slot) + ", last op " +
         std::string(image::to_string(b.op)) + "\n    A: " + state_line(b.slot[0]) + "\n    B: " + state_line(b.slot[1]) + "\n";
    for (const auto& w : f.bcr->warnings) s += "    warning: " + w + "\n";
  } else {
    s += "  boot control: " + *f.bcr_problem + "\n";
  }
  for (const auto& slot : f.slots) {
    if (slot.empty) {
      s += "  " + slot.region + ": empty\n";
      continue;
    }
    const auto& r = *slot.report;
    s += "  " + slot.region + ": " + std::string(image::to_string(r.code)) +
         (r.image ? ", version " + image::to_string(r.image->version) + ", SEC_CNT " + std::to_string(r.image->security_counter) : "") +
         (r.message.empty() ? "" : ": " + r.message) + "\n";
    if (slot.bcr_mismatch) s += "    " + *slot.bcr_mismatch + "\n";
  }
  return s;
}

}  // namespace ota::tools
