// The anti-rollback advance rule (BOOT-SPEC A3, D5): floor := max(floor, min SEC_CNT over
// the bootable slots), only while no slot is under trial. Shared by the bootloader (which
// re-applies it before every jump, healing a cut between a confirm and its advance) and
// the firmware's confirm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "flash/flash.h"
#include "image/bcr.h"
#include "image/layout.h"

namespace ota::boot {

// Bootable for A3: CONFIRMED, TRIAL or PENDING with priority > 0.
bool counts_for_floor(const image::SlotRecord& slot);

// min{sec_cnt of slots that count_for_floor}; nullopt while a slot is pending or under
// trial (the record's pending slot, or any slot in PENDING/TRIAL) or when none counts.
std::optional<uint32_t> a3_target(const image::BootControl& record);

struct FloorStep {
  uint32_t before = 0, after = 0;
  std::string line;  // what was written, or why the floor stays; empty when nothing to do
};

// Advances the rot counter (image::advance_counter) to a3_target(record) when that is
// above `floor` (the counter as last read). An exhausted counter (Errc::no_space) is not
// an error: the floor stays, `line` says so, and the device keeps booting. Other errors
// (flash I/O, power cut) pass through.
Result<FloorStep> apply_a3(flash::Flash& flash, const image::Layout& layout, const image::BootControl& record,
                           uint32_t floor);

}  // namespace ota::boot
