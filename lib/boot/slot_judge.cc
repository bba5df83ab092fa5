#include "boot/slot_judge.h"

#include <algorithm>

#include "core/hex.h"

namespace ota::boot {

Result<Bytes> read_slot_image(flash::Flash& flash, const image::Region& slot) {
  // Each read extends what the previous one's fields declare, so a header claiming more
  // than the slot costs no read past it (parse_image then reports TOO_LARGE).
  auto read = [&](Bytes& bytes, uint64_t size) -> Result<void> {
    const size_t have = bytes.size();
    if (size <= have) return {};  // a header size below 32 points back into the header
    bytes.resize(size);
    return flash.read(slot.offset + have, std::span<uint8_t>(bytes).subspan(have));
  };
  Bytes bytes;
  OTA_TRY(read(bytes, std::min<uint64_t>(slot.size, image::kImageHeaderSize)));
  if (bytes.size() < image::kImageHeaderSize || load_le32(bytes.data()) != image::kImageMagic) return bytes;
  const uint64_t info_at = uint64_t(load_le16(&bytes[8])) + load_le32(&bytes[12]) + load_le16(&bytes[10]);
  if (info_at + 4 > slot.size) return bytes;
  OTA_TRY(read(bytes, info_at + 4));
  const uint64_t end = info_at + load_le16(&bytes[info_at + 2]);
  if (end > slot.size || end <= bytes.size()) return bytes;
  OTA_TRY(read(bytes, end));
  return bytes;
}

SlotJudge::SlotJudge(flash::Flash& flash, const image::Layout& layout, const image::DeviceTrust& trust, uint32_t floor)
    : flash_(flash), layout_(layout), trust_(trust), floor_(floor) {}

Result<const image::VerifyReport*> SlotJudge::verify(int index) {
  auto& cached = reports_[size_t(index)];
  if (!cached) {
    const image::Region& slot = layout_.slot(index);
    auto bytes = read_slot_image(flash_, slot);
    if (!bytes) return std::move(bytes).error().with_context("reading region '" + slot.name + "'");
    cached = image::verify_image(*bytes, image::slot_policy(layout_, trust_, index, floor_), slot.size);
  }
  return &*cached;
}

// BOOT-SPEC I5 "dependencies satisfied against the other slot": each DEPENDENCY names an
// image id (IMAGE_TYPE, 0 when absent) and a minimum version that the other slot's
// verifying image must meet.
Result<std::string> SlotJudge::dependency_problem(int index, const image::ParsedImage& img) {
  if (img.dependencies.empty()) return std::string();
  const int other = 1 - index;
  auto report = verify(other);
  if (!report) return std::move(report).error();
  const image::VerifyReport& r = **report;
  for (const auto& d : img.dependencies) {
    const std::string need = "image " + std::to_string(d.image_id) + " >= " + image::to_string(d.min_version);
    if (r.code != image::VerifyCode::ok)
      return "dependency on " + need + " not satisfied: slot " + slot_name(other) + " holds no verifying image (" +
             std::string(image::to_string(r.code)) + ")";
    const uint16_t id = r.image->image_type.value_or(0);
    if (id != d.image_id || image::compare(r.image->version, d.min_version) < 0)
      return "dependency on " + need + " not satisfied: slot " + slot_name(other) + " holds image " + std::to_string(id) +
             " version " + image::to_string(r.image->version);
  }
  return std::string();
}

Result<SlotCheck> SlotJudge::judge(int index, const image::SlotRecord* record) {
  SlotCheck c;
  c.slot = index;
  c.region = layout_.slot(index).name;
  auto report = verify(index);
  if (!report) return std::move(report).error();
  const image::VerifyReport& r = **report;
  c.code = r.code;
  c.message = r.message;
  if (r.image) {
    c.version = r.image->version;
    c.security_counter = r.image->security_counter;
    if (record && (record->digest32 != image::record_digest32(*r.image) || record->sec_cnt != r.image->security_counter)) {
      c.record_match = false;
      uint8_t d[4];
      store_le32(d, record->digest32);
      if (c.code == image::VerifyCode::ok)
        c.message = "stale boot-control record: it describes digest " + to_hex(ByteView(d, 4)) + "…, SEC_CNT " +
                    std::to_string(record->sec_cnt) + "; the slot holds digest " +
                    to_hex(ByteView(r.image->sha256)).substr(0, 8) + "…, SEC_CNT " + std::to_string(r.image->security_counter);
    }
  }
  if (bootable(c)) {
    auto why = dependency_problem(index, *r.image);
    if (!why) return std::move(why).error();
    if (!why->empty()) {
      c.code = image::VerifyCode::dependency;
      c.message = std::move(*why);
    }
  }
  return c;
}

}  // namespace ota::boot
