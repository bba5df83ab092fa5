#include "boot/floor.h"

#include <algorithm>

#include "image/rot.h"

namespace ota::boot {

bool counts_for_floor(const image::SlotRecord& s) {
  using image::SlotState;
  return s.priority > 0 && (s.state == SlotState::confirmed || s.state == SlotState::trial || s.state == SlotState::pending);
}

std::optional<uint32_t> a3_target(const image::BootControl& record) {
  if (record.pending_slot != image::kNoSlot) return std::nullopt;
  std::optional<uint32_t> low;
  for (const auto& s : record.slot) {
    if (s.state == image::SlotState::pending || s.state == image::SlotState::trial) return std::nullopt;
    if (counts_for_floor(s)) low = std::min(low.value_or(s.sec_cnt), s.sec_cnt);
  }
  return low;
}

Result<FloorStep> apply_a3(flash::Flash& flash, const image::Layout& layout, const image::BootControl& record,
                           uint32_t floor) {
  FloorStep step{floor, floor, {}};
  const auto target = a3_target(record);
  if (!target || *target <= floor) return step;
  auto advanced = image::advance_counter(flash, layout, *target);
  if (!advanced) {
    if (advanced.error().code != Errc::no_space) return std::move(advanced).error();
    // An e-fuse budget used up must not brick the device: it boots on at the old floor.
    step.line = "anti-rollback counter not advanced to " + std::to_string(*target) + ": " + advanced.error().message +
                "; the floor stays " + std::to_string(floor);
    return step;
  }
  step.after = *advanced;
  step.line = "anti-rollback counter " + std::to_string(floor) + " -> " + std::to_string(step.after);
  return step;
}

}  // namespace ota::boot
