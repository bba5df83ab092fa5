// How the bootloader judges one slot on one reset (BOOT-SPEC B5, I5, A4/A5, T6): the full
// verify_image against the device's own policy with the current floor, the boot-control
// record's digest32/sec_cnt against the image in the slot (a stale record never boots),
// and DEPENDENCY TLVs against the image in the other slot.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "boot/bootloader.h"
#include "flash/flash.h"
#include "image/bcr.h"
#include "image/device_trust.h"
#include "image/layout.h"

namespace ota::boot {

// The image at the start of `slot`: header, payload and both TLV areas, never more than
// the slot and never the erased rest. When the header's sizes do not fit the slot, only
// what was read so far is returned, so parse_image (given the slot size) names the defect.
// Flash read errors pass through.
Result<Bytes> read_slot_image(flash::Flash& flash, const image::Region& slot);

// Judges slots as one reset of the bootloader does. Each slot is read and verified at
// most once (a dependency check reuses the other slot's result). Holds references: the
// flash, layout and trust must outlive it.
class SlotJudge {
 public:
  SlotJudge(flash::Flash& flash, const image::Layout& layout, const image::DeviceTrust& trust, uint32_t floor);

  // verify_image of slot `index` against slot_policy(layout, trust, index, floor).
  Result<const image::VerifyReport*> verify(int index);

  // verify, then (with a record) digest32/sec_cnt, then the dependencies: the first
  // failure decides code and message. `record` is null in scan mode (no record to match).
  Result<SlotCheck> judge(int index, const image::SlotRecord* record);

 private:
  // Why the image's dependencies are not met by the other slot; empty when they are.
  Result<std::string> dependency_problem(int index, const image::ParsedImage& image);

  flash::Flash& flash_;
  const image::Layout& layout_;
  const image::DeviceTrust& trust_;
  uint32_t floor_;
  std::array<std::optional<image::VerifyReport>, 2> reports_;
};

}  // namespace ota::boot
