// The flash layout of a dual-bank device (BOOT-SPEC L1-L6; schemas/flash-layout.schema.json,
// docs/image-format.md): the flash devices (one, or internal + external, F1), their
// geometry, and named regions, each on one device.
//   bootloader  at offset 0; holds the flash-map descriptor (L6, flash_map.h)
//   rot         root of trust: trusted key hashes and the anti-rollback counter (rot.h)
//   bcr0, bcr1  [, bcr2]  the boot-control record copies, each in its own sectors (L3)
//   slot_a, slot_b        equal-sized banks for signed slot images (L4)
//   scratch, recovery     optional: the agent's download/journal area, a rescue image
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"

namespace ota::image {

struct Region {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::optional<uint64_t> exec_addr;  // slots of execute-in-place images (L4)
  bool operator==(const Region&) const = default;
};

// How the bootloader treats a pending slot (BOOT-SPEC B3, the agent's confirm).
struct BootPolicy {
  uint8_t tries = 3;                   // trial boots of a pending slot, 1..7
  bool prevent_late_fallback = false;  // BCR flags bit0: a confirmed update retires the old slot
  bool operator==(const BootPolicy&) const = default;
};

inline constexpr size_t kMaxFlashDevices = 8;  // flash devices per layout (F1)

struct Layout {
  std::string device;       // a name for messages ("mcu-example")
  std::string hardware_id;  // the Uptane hardware id slot images must carry (HW_ID TLV)
  std::string vendor;       // UUID_VID = uuid5(NAMESPACE_DNS, vendor); UUID_CID = uuid5(VID, hardware_id)
  flash::Geometry geometry;  // one or more flash devices, end to end (F1)
  std::vector<Region> regions;  // in address order
  BootPolicy boot;
  uint32_t counter_slots = 64;  // anti-rollback counter advances the rot region holds (F11 budget)

  const Region* find(std::string_view name) const;
  // The flash device a region lies on (regions never straddle two; validate_layout).
  const flash::Device& device_of(const Region& region) const { return geometry.device_at(region.offset); }
  const Region& slot(int index) const;           // 0 = slot_a, 1 = slot_b; the layout has both
  std::vector<const Region*> bcr_copies() const;  // bcr0, bcr1[, bcr2] in copy order
  // Field by field, geometry included (parse_layout(layout_to_yaml(x)) == x).
  bool operator==(const Layout& other) const;
};

// Parses and validates a layout YAML document (schemas/flash-layout.schema.json). Any
// violation is one Errc::invalid_argument error naming the field or region and the
// numbers: "region 'slot_b' (offset 0x110000, size 0xf0000) ends at 0x200000, past the end of
// the flash (0x100000)". Syntax errors and bad fields carry "line N: ". Never throws.
Result<Layout> parse_layout(std::string_view yaml_text);

// The rules parse_layout applies after reading (L1-L5): required regions present,
// names known and unique, sector-aligned, inside the flash, not overlapping, bootloader
// at 0, each BCR copy alone in its sectors, equal slots, geometry sane, device strings
// and policy in range, and the flash-map descriptor (flash_map.h) fits in the bootloader
// region. Errc::invalid_argument naming the region or field and the numbers in hex.
Result<void> validate_layout(const Layout& layout);

// The layout as YAML that parse_layout reads back to an equal Layout (for `ota-image
// info` and the demo's out/demo/flash/layout.yaml).
std::string layout_to_yaml(const Layout& layout);

}  // namespace ota::image
