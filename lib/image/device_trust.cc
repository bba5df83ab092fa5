#include "image/device_trust.h"

#include <algorithm>

#include "core/hex.h"
#include "image/key_table.h"

namespace ota::image {

Result<std::vector<crypto::PublicKey>> read_bootloader_keys(flash::Flash& flash, const Layout& layout) {
  const Region* boot = layout.find("bootloader");
  if (!boot) return Error{Errc::invalid_argument, "the layout has no 'bootloader' region"};
  const size_t at = key_table_offset(layout);
  if (at >= boot->size)
    return Error{Errc::corrupt, "the bootloader region (" + hex_number(boot->size) + " bytes) has no room for a key table"};
  Bytes bytes(boot->size - at);
  if (auto r = flash.read(boot->offset + at, bytes); !r) return std::move(r).error();
  return decode_key_table(bytes);
}

Result<DeviceTrust> read_device_trust(flash::Flash& flash, const Layout& layout) {
  auto keys = read_bootloader_keys(flash, layout);
  if (!keys) return std::move(keys).error();
  auto rot = read_rot(flash, layout);
  if (!rot) return std::move(rot).error();
  return DeviceTrust{std::move(*keys), std::move(*rot)};
}

TrustPolicy slot_policy(const Layout& layout, const DeviceTrust& trust, int index, std::optional<uint32_t> floor) {
  TrustPolicy p;
  const auto& provisioned = trust.rot.key_hashes;
  for (const auto& k : trust.keys) {
    const KeyHash h = key_hash(k);
    if (std::find(provisioned.begin(), provisioned.end(), h) == provisioned.end()) continue;
    p.keys.push_back(k);
    p.trusted.push_back(h);
  }
  p.threshold = trust.rot.threshold;
  p.hardware_id = layout.hardware_id;
  p.vendor = layout.vendor;
  p.min_security_counter = floor;
  const Region& slot = layout.slot(index);
  if (slot.exec_addr) p.slot_address = uint32_t(*slot.exec_addr);
  return p;
}

uint32_t record_digest32(const ParsedImage& image) { return load_le32(image.sha256.data()); }

}  // namespace ota::image
