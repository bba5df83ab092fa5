#include "boot/firmware.h"

#include "boot/bootloader.h"
#include "boot/floor.h"
#include "image/bcr.h"
#include "image/rot.h"

namespace ota::boot {
namespace {

using image::BcrOp;
using image::FailReason;
using image::kNoSlot;
using image::SlotState;

Error not_booted(const image::BootControl& r, int booted, const std::string& what) {
  return Error{Errc::rejected, "slot " + slot_name(booted) + " is neither the slot under trial (" +
                                   (r.pending_slot == kNoSlot ? "none" : slot_name(r.pending_slot)) +
                                   ") nor the confirmed active slot (" +
                                   (r.active_slot == kNoSlot ? "none" : slot_name(r.active_slot)) +
                                   "): the bootloader rolled back or the record changed; nothing to " + what};
}

bool valid_slot(int s) { return s == 0 || s == 1; }

}  // namespace

Result<ConfirmResult> confirm(flash::Flash& flash, const image::Layout& layout, int booted) {
  if (!valid_slot(booted)) return Error{Errc::invalid_argument, "slot " + std::to_string(booted) + " is not 0 (A) or 1 (B)"};
  image::BcrStore store(flash, layout);
  auto loaded = store.load();
  if (!loaded) return std::move(loaded).error();
  image::BootControl rec = loaded->record;
  auto rot = image::read_rot(flash, layout);
  if (!rot) return std::move(rot).error();
  ConfirmResult out;
  out.floor_before = out.floor_after = rot->counter;
  auto& b = rec.slot[size_t(booted)];
  if (rec.pending_slot == kNoSlot && rec.active_slot == booted && b.state == SlotState::confirmed) {
    out.confirmed = true;
    out.detail = "slot " + slot_name(booted) + " is already the confirmed active slot; nothing written";
    return out;
  }
  if (rec.pending_slot != booted || b.state != SlotState::trial) return not_booted(rec, booted, "confirm");

  const int old = 1 - booted;
  auto& o = rec.slot[size_t(old)];
  b = {SlotState::confirmed, 15, layout.boot.tries, FailReason::none, b.sec_cnt, b.digest32};
  rec.active_slot = uint8_t(booted);
  rec.pending_slot = kNoSlot;
  rec.op = BcrOp::confirm;
  std::string fallback;
  if (o.state == SlotState::confirmed && o.priority > 0) {
    const bool retire = layout.boot.prevent_late_fallback || (rec.flags & image::kFlagPreventLateFallback);
    if (retire || o.sec_cnt < rot->counter) {
      // Retired for good: the floor may now rise past it (A3's "stops being a fallback").
      o = {SlotState::failed, 0, 0, FailReason::rollback_floor, o.sec_cnt, o.digest32};
      fallback = "; slot " + slot_name(old) + " retired (" +
                 (retire ? std::string("prevent_late_fallback") : "below the floor " + std::to_string(rot->counter)) + ")";
    } else {
      o.priority = 14;
      fallback = "; slot " + slot_name(old) + " stays the fallback";
    }
  }
  auto seq = store.write(rec);
  if (!seq) return std::move(seq).error().with_context("confirming slot " + slot_name(booted));
  out.confirmed = true;
  out.writes.push_back("boot-control record seq " + std::to_string(*seq) + ": slot " + slot_name(booted) +
                       " CONFIRMED, active" + fallback);
  out.detail = "slot " + slot_name(booted) + " confirmed" + fallback;
  auto step = apply_a3(flash, layout, rec, rot->counter);
  if (!step) return std::move(step).error().with_context("slot " + slot_name(booted) + " is confirmed, but the counter advance failed (the bootloader retries it at the next boot)");
  if (!step->line.empty()) {
    out.writes.push_back(step->line);
    out.detail += "; " + step->line;
  }
  out.floor_after = step->after;
  return out;
}

Result<void> mark_bad(flash::Flash& flash, const image::Layout& layout, int booted) {
  if (!valid_slot(booted)) return Error{Errc::invalid_argument, "slot " + std::to_string(booted) + " is not 0 (A) or 1 (B)"};
  image::BcrStore store(flash, layout);
  auto loaded = store.load();
  if (!loaded) return std::move(loaded).error();
  image::BootControl rec = loaded->record;
  auto& b = rec.slot[size_t(booted)];
  const auto& other = rec.slot[size_t(1 - booted)];
  if (rec.pending_slot == booted && b.state == SlotState::trial) {
    rec.pending_slot = kNoSlot;
  } else if (rec.pending_slot == kNoSlot && rec.active_slot == booted && b.state == SlotState::confirmed) {
    if (other.state != SlotState::confirmed || other.priority == 0)
      return Error{Errc::rejected, "slot " + slot_name(booted) +
                                       " is the only bootable slot: marking it bad would leave nothing to boot (RECOVERY); not marked"};
    rec.active_slot = uint8_t(1 - booted);
  } else {
    return not_booted(rec, booted, "mark bad");
  }
  b = {SlotState::failed, 0, 0, FailReason::marked_bad, b.sec_cnt, b.digest32};
  rec.op = BcrOp::mark_bad;
  auto seq = store.write(rec);
  if (!seq) return std::move(seq).error().with_context("marking slot " + slot_name(booted) + " bad");
  return {};
}

Result<uint32_t> heal_floor(flash::Flash& flash, const image::Layout& layout) {
  auto rot = image::read_rot(flash, layout);
  if (!rot) return std::move(rot).error();
  image::BcrStore store(flash, layout);
  auto loaded = store.load();
  if (!loaded) {
    if (loaded.error().code == Errc::not_found) return rot->counter;  // nothing known to advance to
    return std::move(loaded).error();
  }
  const auto target = a3_target(loaded->record);
  if (!target || *target <= rot->counter) return rot->counter;
  return image::advance_counter(flash, layout, *target);
}

}  // namespace ota::boot
