// What the running firmware's agent does after a boot (BOOT-SPEC §4.5 "Agent (after
// boot)", D4, D5, A3): confirm the slot under trial, mark it bad when its health check
// fails, or re-apply the anti-rollback rule. Each is at most one boot-control record write
// (C4, U7) plus, for confirm, the counter advance. Shared by `ota-boot` and the device agent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"

namespace ota::boot {

struct ConfirmResult {
  bool confirmed = false;
  std::string detail;  // one line: what changed, or why nothing needed to
  uint32_t floor_before = 0, floor_after = 0;
  std::vector<std::string> writes;  // the BCR write and counter advance made, one line each
};

// Slot `booted` is the BCR's pending slot in TRIAL: one BCR write (slot CONFIRMED,
// tries := layout.boot.tries, active := booted, pending := NONE, op confirm; the other
// slot, when CONFIRMED, keeps priority 14 as the fallback unless prevent_late_fallback
// (layout.boot or the record's flags) or its SEC_CNT is below the floor → FAILED reason
// rollback_floor), then A3 (an exhausted counter is reported in `detail`, not an error:
// the confirm is already committed). When `booted` is already the confirmed active slot
// with nothing pending: no write at all (C7), confirmed=true. Errc::rejected when `booted`
// is not the pending/active slot (e.g. the bootloader rolled back), nothing written;
// Errc::not_found when no record copy is valid. Flash errors pass through.
Result<ConfirmResult> confirm(flash::Flash& flash, const image::Layout& layout, int booted);

// Health check failed: slot FAILED reason marked_bad, priority 0, pending NONE, op mark_bad;
// one BCR write. Next boot falls back. `booted` must be the pending slot in TRIAL, or the
// confirmed active slot while the other slot is a confirmed fallback (which then becomes
// active); otherwise Errc::rejected and nothing written, so a failing health check can
// never mark the device's last bootable slot bad.
Result<void> mark_bad(flash::Flash& flash, const image::Layout& layout, int booted);

// A3 alone (idempotent): the floor after. No change while a slot is under trial or when
// no record copy is valid. Errc::no_space when the counter cannot rise any more.
Result<uint32_t> heal_floor(flash::Flash& flash, const image::Layout& layout);

}  // namespace ota::boot
