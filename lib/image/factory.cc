#include "image/factory.h"

#include <algorithm>
#include <cstdio>

#include "core/hex.h"
#include "flash/mem_flash.h"
#include "image/device_trust.h"
#include "image/flash_map.h"
#include "image/key_table.h"

namespace ota::image {
namespace {

// Programs `data` padded with the erased value to whole granules.
Result<void> program_padded(flash::Flash& flash, uint64_t offset, ByteView data) {
  const flash::Device& device = flash.geometry().device_at(offset);
  const size_t granule = device.write_size;
  Bytes padded(data.begin(), data.end());
  padded.resize((padded.size() + granule - 1) / granule * granule, device.erased);
  return flash::program_pages(flash, offset, padded);
}

}  // namespace

Result<FactoryReport> build_factory(flash::Flash& flash, const Layout& layout, const FactoryRequest& request) {
  if (request.trust.empty()) return Error{Errc::invalid_argument, "a factory image needs at least one trusted key (--trust)"};
  std::vector<KeyHash> hashes;
  for (const auto& k : request.trust) hashes.push_back(key_hash(k));
  // The trust the device will have once provisioned: each image is judged as it will boot.
  DeviceTrust trust{request.trust, RootOfTrust{}};
  trust.rot.key_hashes = hashes;
  trust.rot.threshold = request.threshold;

  // Bootloader region: flash map, then the key table.
  const Region& boot = *layout.find("bootloader");
  const Bytes map = encode_flash_map(layout), keys = encode_key_table(request.trust);
  const uint64_t keys_at = key_table_offset(layout);
  if (keys_at + keys.size() > boot.size)
    return Error{Errc::invalid_argument, "region 'bootloader' (" + hex_number(boot.size) + " bytes) is " +
                                             std::to_string(keys_at + keys.size() - boot.size) +
                                             " bytes too small for the flash map and " +
                                             std::to_string(request.trust.size()) + " trusted keys"};

  FactoryReport report;
  std::vector<const Bytes*> images{&request.slot_a};
  if (request.slot_b) images.push_back(&*request.slot_b);
  uint32_t floor = UINT32_MAX;
  for (size_t i = 0; i < images.size(); ++i) {
    const Region& slot = layout.slot(int(i));
    const char* name = i == 0 ? "slot A" : "slot B";
    if (images[i]->size() > slot.size)
      return Error{Errc::invalid_argument, std::string("the ") + name + " image (" + std::to_string(images[i]->size()) +
                                               " bytes) is " + std::to_string(images[i]->size() - slot.size) +
                                               " bytes larger than region '" + slot.name + "' (" + std::to_string(slot.size) + ")"};
    auto r = verify_image(*images[i], slot_policy(layout, trust, int(i), std::nullopt), slot.size);
    if (r.code != VerifyCode::ok)
      return Error{r.code == VerifyCode::invalid_magic || r.code == VerifyCode::invalid_header ||
                           r.code == VerifyCode::invalid_tlv || r.code == VerifyCode::invalid_tlv_info_magic
                       ? Errc::corrupt
                       : Errc::rejected,
                   std::string("the ") + name + " image fails verification: " + std::string(to_string(r.code)) + ": " + r.message};
    floor = std::min(floor, r.image->security_counter);
    report.slots.push_back(std::move(r));
  }

  OTA_TRY(program_padded(flash, boot.offset, map));
  OTA_TRY(program_padded(flash, boot.offset + keys_at, keys));
  OTA_TRY(provision_rot(flash, layout, hashes, request.threshold, floor));
  for (size_t i = 0; i < images.size(); ++i) OTA_TRY(program_padded(flash, layout.slot(int(i)).offset, *images[i]));

  BootControl bcr;
  bcr.active_slot = 0;
  bcr.flags = layout.boot.prevent_late_fallback ? kFlagPreventLateFallback : 0;
  for (size_t i = 0; i < report.slots.size(); ++i) {
    const ParsedImage& img = *report.slots[i].image;
    bcr.slot[i] = {SlotState::confirmed, uint8_t(i == 0 ? 15 : 14), layout.boot.tries, FailReason::none,
                   img.security_counter, record_digest32(img)};
  }
  BcrStore store(flash, layout);
  auto seq = store.write(bcr);
  if (!seq) return std::move(seq).error();
  bcr.seq = *seq;
  report.bcr = bcr;
  report.counter = floor;
  return report;
}

Result<FlashInspection> inspect_flash(ByteView flash_bytes, const std::optional<Layout>& given) {
  FlashInspection out;
  // The descriptor sits at offset 0 (the bootloader region starts there).
  auto embedded = decode_flash_map(flash_bytes);
  if (given) {
    out.layout = *given;
    if (!embedded)
      out.layout_problem = "the image carries no valid flash map: " + embedded.error().message;
    else if (encode_flash_map(*embedded) != encode_flash_map(*given))
      out.layout_problem = "the flash map in the image differs from the given layout";
  } else {
    if (!embedded) return std::move(embedded).error().with_context("no --layout given, and the image's flash map is unusable");
    out.layout = *embedded;
  }
  const Layout& layout = out.layout;
  if (flash_bytes.size() != layout.geometry.size())
    return Error{Errc::invalid_argument, "the image is " + std::to_string(flash_bytes.size()) + " bytes, the layout's flash " +
                                             std::to_string(layout.geometry.size())};
  flash::MemFlash flash(layout.geometry, Bytes(flash_bytes.begin(), flash_bytes.end()));

  auto keys = read_bootloader_keys(flash, layout);
  if (keys) out.bootloader_keys = std::move(*keys);
  else out.keys_problem = keys.error().message;
  auto rot = read_rot(flash, layout);
  if (rot) out.rot = std::move(*rot);
  else out.rot_problem = rot.error().message;
  BcrStore store(flash, layout);
  auto bcr = store.load();
  if (bcr) out.bcr = std::move(*bcr);
  else out.bcr_problem = bcr.error().message;

  for (int i = 0; i < 2; ++i) {
    const Region& slot = layout.slot(i);
    SlotInspection s;
    s.region = slot.name;
    const ByteView bytes = flash_bytes.subspan(slot.offset, slot.size);
    if (bytes.size() < 4 || load_le32(bytes.data()) != kImageMagic) {
      s.empty = true;
    } else {
      // Without a readable rot nothing is provisioned, so no signature is trusted.
      const DeviceTrust trust{out.bootloader_keys, out.rot.value_or(RootOfTrust{})};
      s.report = verify_image(bytes, slot_policy(layout, trust, i, out.rot ? std::optional<uint32_t>(out.rot->counter) : std::nullopt),
                              slot.size);
      if (out.bcr && s.report->image) {
        const SlotRecord& rec = out.bcr->record.slot[size_t(i)];
        uint8_t rec_digest[4];
        store_le32(rec_digest, rec.digest32);
        if (rec.state != SlotState::empty &&
            (rec.digest32 != record_digest32(*s.report->image) || rec.sec_cnt != s.report->image->security_counter))
          s.bcr_mismatch = "the boot-control record describes another image (digest " + to_hex(ByteView(rec_digest, 4)) + "…, SEC_CNT " +
                           std::to_string(rec.sec_cnt) + ")";
      }
    }
    out.slots.push_back(std::move(s));
  }
  return out;
}

}  // namespace ota::image
