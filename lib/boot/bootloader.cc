// One reset: BOOT-SPEC §4.5 lines 1-15 in order (the line numbers are cited below), B7 scan
// mode, and the A3 heal before the jump. docs/boot.md states the same rules for a second
// implementation.
#include "boot/bootloader.h"

#include <algorithm>

#include "boot/floor.h"
#include "boot/slot_judge.h"
#include "image/bcr.h"
#include "image/device_trust.h"
#include "image/flash_map.h"

namespace ota::boot {
namespace {

using image::BcrOp;
using image::FailReason;
using image::kNoSlot;
using image::SlotState;

bool same_geometry(const flash::Geometry& a, const flash::Geometry& b) { return a == b; }

// L6: the layout is the one compiled into the bootloader region, and the device is it.
Result<void> check_flash_map(flash::Flash& flash, const image::Layout& layout) {
  if (!same_geometry(flash.geometry(), layout.geometry))
    return Error{Errc::rejected, "the flash's geometry (" + std::to_string(flash.geometry().size()) +
                                     " bytes) is not the layout's (" + std::to_string(layout.geometry.size()) +
                                     " bytes): refusing to boot (L6)"};
  const image::Region* region = layout.find("bootloader");
  Bytes bytes(region->size);
  if (auto r = flash.read(region->offset, bytes); !r) return std::move(r).error().with_context("reading the flash map");
  auto embedded = image::decode_flash_map(bytes);
  if (!embedded)
    return Error{Errc::corrupt, "the bootloader region holds no valid flash map (" + embedded.error().message +
                                    "): refusing to boot (L6)"};
  if (image::encode_flash_map(*embedded) != image::encode_flash_map(layout))
    return Error{Errc::rejected, "the flash map in the bootloader region (device '" + embedded->device +
                                     "') differs from the layout (device '" + layout.device +
                                     "'): refusing to boot, nothing written (L6)"};
  return {};
}

FailReason fail_reason(const SlotCheck& c) {
  return c.code == image::VerifyCode::rollback ? FailReason::rollback_floor : FailReason::verify;
}

std::string check_summary(const SlotCheck& c) {
  if (c.code != image::VerifyCode::ok) return std::string(image::to_string(c.code));
  return c.record_match ? "OK" : "STALE_RECORD";
}

class Reset {
 public:
  Reset(flash::Flash& flash, const image::Layout& layout) : flash_(flash), layout_(layout), store_(flash, layout) {}

  Result<BootResult> run();

 private:
  Result<BootResult> normal(const image::LoadedBcr& loaded, SlotJudge& judge);
  Result<BootResult> scan(SlotJudge& judge);
  Result<bool> persist(const std::string& what);
  void fail_slot(int s, FailReason reason);
  std::vector<int> candidates() const;
  Result<void> heal();
  BootResult recovery(std::string why);

  flash::Flash& flash_;
  const image::Layout& layout_;
  image::BcrStore store_;
  image::BootControl rec_;
  BootResult out_;
};

// Writes rec_ by the C4 protocol. false when the write failed (reported in out_.writes):
// C4 leaves the previous record selectable, so the caller decides what that means. A power
// cut is returned as the error it is.
Result<bool> Reset::persist(const std::string& what) {
  auto seq = store_.write(rec_);
  if (!seq) {
    if (seq.error().code == Errc::power_cut) return std::move(seq).error();
    out_.writes.push_back("boot-control record not written (" + what + "): " + seq.error().message);
    return false;
  }
  rec_.seq = *seq;
  out_.writes.push_back("boot-control record seq " + std::to_string(*seq) + ": " + what);
  return true;
}

void Reset::fail_slot(int s, FailReason reason) {
  auto& slot = rec_.slot[size_t(s)];
  slot.state = SlotState::failed;
  slot.priority = 0;
  slot.reason = reason;
  if (rec_.pending_slot == s) rec_.pending_slot = kNoSlot;
  rec_.op = BcrOp::rollback;
}

// Line 11: [pending] + [active] + [other slots with priority > 0], the others best first
// (Android ab_compare_slots: higher priority, then successful, then more tries; every
// CONFIRMED slot is successful, so priority and tries decide, then the lower index).
// Only a TRIAL pending slot or a CONFIRMED slot is ever a candidate: never INSTALLING,
// PENDING (not yet counted), FAILED or EMPTY, never priority 0.
std::vector<int> Reset::candidates() const {
  std::vector<int> order;
  const int p = rec_.pending_slot == kNoSlot ? -1 : rec_.pending_slot;
  if (p >= 0 && rec_.slot[size_t(p)].state == SlotState::trial && rec_.slot[size_t(p)].priority > 0) order.push_back(p);
  auto confirmed = [&](int s) {
    const auto& r = rec_.slot[size_t(s)];
    return r.state == SlotState::confirmed && r.priority > 0 && std::find(order.begin(), order.end(), s) == order.end();
  };
  if (rec_.active_slot != kNoSlot && confirmed(rec_.active_slot)) order.push_back(rec_.active_slot);
  std::vector<int> others;
  for (int s = 0; s < 2; ++s)
    if (confirmed(s)) others.push_back(s);
  std::stable_sort(others.begin(), others.end(), [&](int a, int b) {
    const auto &ra = rec_.slot[size_t(a)], &rb = rec_.slot[size_t(b)];
    if (ra.priority != rb.priority) return ra.priority > rb.priority;
    return ra.tries_left > rb.tries_left;
  });
  order.insert(order.end(), others.begin(), others.end());
  return order;
}

// A3 before the jump: idempotent, so a cut between a confirm and its counter advance is
// healed here; a no-op (no write, C7) when the floor is already there.
Result<void> Reset::heal() {
  auto step = apply_a3(flash_, layout_, rec_, out_.floor_before);
  if (!step) {
    if (step.error().code == Errc::power_cut) return std::move(step).error();
    out_.writes.push_back("anti-rollback counter not advanced: " + step.error().message);
    return {};
  }
  if (!step->line.empty()) out_.writes.push_back(step->line);
  out_.floor_after = step->after;
  return {};
}

BootResult Reset::recovery(std::string why) {
  out_.booted.reset();
  out_.image.reset();
  out_.path = BootPath::recovery;
  out_.trial = out_.tries = 0;
  out_.reason = std::move(why);
  return std::move(out_);
}

// Why nothing boots: each judged slot's result or, when none was a candidate, each slot's
// state in the record; "rollback floor N" first when a slot fell below it (A5, the Pixel
// ARB lesson: a device refusing old images must say so).
std::string no_slot_reason(const std::vector<SlotCheck>& checks, const image::BootControl* record, uint32_t floor,
                           const std::string& prefix) {
  std::string list;
  bool below_floor = false;
  for (const auto& c : checks) {
    list += (list.empty() ? "" : ", ") + std::string("slot ") + slot_name(c.slot) + " " + check_summary(c);
    below_floor = below_floor || c.code == image::VerifyCode::rollback;
  }
  if (checks.empty() && record)
    for (int s = 0; s < 2; ++s) {
      const auto& r = record->slot[size_t(s)];
      std::string state(image::to_string(r.state));
      if (r.state == SlotState::failed) state += " (" + std::string(image::to_string(r.reason)) + ")";
      list += (s ? ", " : "no slot is bootable by the record: ") + std::string("slot ") + slot_name(s) + " " + state;
    }
  return (below_floor ? "rollback floor " + std::to_string(floor) + ": " : "") + prefix + (list.empty() ? "" : " (" + list + ")");
}

Result<BootResult> Reset::normal(const image::LoadedBcr& loaded, SlotJudge& judge) {
  rec_ = loaded.record;
  out_.bcr_copy = loaded.copy;
  out_.bcr_seq = rec_.seq;
  int on_trial = -1;  // the pending slot whose trial boot is counted
  std::string given_up;  // why a pending slot was abandoned on this reset
  // Lines 3-10.
  if (rec_.pending_slot != kNoSlot) {
    const int p = rec_.pending_slot;
    auto& s = rec_.slot[size_t(p)];
    const std::string name = "slot " + slot_name(p);
    if (s.tries_left == 0 || (s.state != SlotState::pending && s.state != SlotState::trial) || s.priority == 0) {
      // Lines 6-7: the automatic rollback.
      given_up = s.tries_left == 0 ? name + " used all its trial boots without a confirm"
                                   : name + " is pending in state " + std::string(image::to_string(s.state)) +
                                         (s.priority == 0 ? " with priority 0" : "");
      fail_slot(p, s.state == SlotState::failed ? s.reason : FailReason::tries_exhausted);
      OTA_TRY(persist(name + " FAILED (" + std::string(image::to_string(rec_.slot[size_t(p)].reason)) + "), rollback"));
    } else {
      // Line 9 (B2): the try is counted on flash before the jump, so a hang or a cut
      // during the trial boot still uses it up.
      const image::BootControl before = rec_;
      --s.tries_left;
      s.state = SlotState::trial;
      ++rec_.boot_attempts;
      const uint8_t left = s.tries_left;
      auto written = persist(name + " TRIAL, " + std::to_string(left) + " tries left");
      if (!written) return std::move(written).error();
      if (*written) {
        on_trial = p;
      } else {
        // Line 10 (wolfBoot#824): an uncounted trial could repeat forever; treat it as line 6.
        rec_ = before;
        given_up = "the trial boot of " + name + " could not be counted (boot-control record write failed)";
        fail_slot(p, FailReason::tries_exhausted);
        OTA_TRY(persist(name + " FAILED (tries-exhausted), rollback"));
      }
    }
  }
  // Lines 11-14.
  std::string fell_back;
  for (int s : candidates()) {
    const image::SlotRecord record = rec_.slot[size_t(s)];
    auto check = judge.judge(s, &record);
    if (!check) return std::move(check).error();
    out_.checks.push_back(*check);
    if (bootable(*check)) {
      out_.booted = s;
      break;
    }
    fell_back += (fell_back.empty() ? "" : "; ") + std::string("slot ") + slot_name(s) + " " + check_summary(*check) +
                 ": " + check->message;
    if (on_trial == s) on_trial = -1;
    fail_slot(s, fail_reason(*check));
    OTA_TRY(persist("slot " + slot_name(s) + " FAILED (" + std::string(image::to_string(fail_reason(*check))) + ")"));
  }
  if (!out_.booted) {
    std::string prefix = "nothing to boot";
    if (!given_up.empty()) prefix = given_up + "; " + prefix;
    return recovery(no_slot_reason(out_.checks, &rec_, out_.floor_before, prefix));
  }
  const int b = *out_.booted;
  if (on_trial == b) {
    out_.path = BootPath::trial;
    out_.tries = std::max<uint8_t>(layout_.boot.tries, uint8_t(rec_.slot[size_t(b)].tries_left + 1));
    out_.trial = uint8_t(out_.tries - rec_.slot[size_t(b)].tries_left);
    out_.reason = "slot " + slot_name(b) + " is pending: trial boot " + std::to_string(out_.trial) + " of " +
                  std::to_string(out_.tries);
  } else if (!given_up.empty() || !fell_back.empty()) {
    out_.path = BootPath::rollback;
    out_.reason = (given_up.empty() ? fell_back : given_up + (fell_back.empty() ? "" : "; " + fell_back)) +
                  ": rolled back to slot " + slot_name(b);
  } else {
    out_.path = BootPath::normal;
    out_.reason = "slot " + slot_name(b) + (rec_.active_slot == b ? " is the confirmed active slot"
                                                                   : " is a confirmed fallback (active slot " +
                                                                         slot_name(rec_.active_slot) + " is not bootable)");
    if (rec_.op == BcrOp::rollback || rec_.op == BcrOp::mark_bad)
      out_.reason += "; the last operation was " + std::string(image::to_string(rec_.op));
  }
  OTA_TRY(heal());
  return std::move(out_);
}

// B7: no valid record. Both slots are candidates (priority 15, default tries, not
// successful); the verifying one with the highest (SEC_CNT, version) at or above the floor
// boots on trial, and a fresh record says so. The other verifying slot, if any, becomes the
// confirmed fallback that the tries fall back to.
Result<BootResult> Reset::scan(SlotJudge& judge) {
  std::optional<int> best;
  for (int s = 0; s < 2; ++s) {
    auto check = judge.judge(s, nullptr);
    if (!check) return std::move(check).error();
    out_.checks.push_back(*check);
    if (!bootable(*check)) continue;
    if (!best) {
      best = s;
      continue;
    }
    const SlotCheck& b = out_.checks[size_t(*best)];
    if (check->security_counter > b.security_counter ||
        (check->security_counter == b.security_counter && image::compare(*check->version, *b.version) > 0))
      best = s;
  }
  if (!best) return recovery(no_slot_reason(out_.checks, nullptr, out_.floor_before, "no valid boot-control record and no slot verifies"));

  rec_ = {};
  rec_.flags = layout_.boot.prevent_late_fallback ? image::kFlagPreventLateFallback : 0;
  const uint8_t tries = layout_.boot.tries;
  for (int s = 0; s < 2; ++s) {
    const SlotCheck& c = out_.checks[size_t(s)];
    const image::VerifyReport& r = **judge.verify(s);  // cached
    image::SlotRecord& e = rec_.slot[size_t(s)];
    if (r.image) {
      e.sec_cnt = r.image->security_counter;
      e.digest32 = image::record_digest32(*r.image);
    }
    if (s == *best) {
      e = {SlotState::trial, 15, uint8_t(tries - 1), FailReason::none, e.sec_cnt, e.digest32};
    } else if (bootable(c)) {
      e = {SlotState::confirmed, 14, tries, FailReason::none, e.sec_cnt, e.digest32};
      rec_.active_slot = uint8_t(s);
    } else if (c.code != image::VerifyCode::invalid_magic) {  // an image that fails: evidence, kept (B6)
      e = {SlotState::failed, 0, 0, fail_reason(c), e.sec_cnt, e.digest32};
    }
  }
  rec_.pending_slot = uint8_t(*best);
  rec_.op = BcrOp::activate;
  rec_.boot_attempts = 1;
  auto written = persist("scan mode: fresh record, slot " + slot_name(*best) + " TRIAL, " + std::to_string(tries - 1) +
                         " tries left");
  if (!written) return std::move(written).error();
  out_.booted = best;
  out_.path = BootPath::scan;
  out_.tries = tries;
  out_.trial = 1;
  out_.reason = "no valid boot-control record: slot " + slot_name(*best) + " has the highest SEC_CNT and version that verifies (trial boot 1 of " +
                std::to_string(tries) + ")";
  // Refusing here would be RECOVERY with a verified image at hand and no fallback known.
  if (!*written) out_.reason += "; the record could not be written, so this trial is not counted";
  return std::move(out_);
}

Result<BootResult> Reset::run() {
  OTA_TRY(check_flash_map(flash_, layout_));
  auto trust = image::read_device_trust(flash_, layout_);
  if (!trust) {
    const Errc code = trust.error().code;
    if (code != Errc::corrupt && code != Errc::not_found) return std::move(trust).error();
    return recovery("the device's trust cannot be read (" + trust.error().message + "): no image can be verified");
  }
  out_.floor_before = out_.floor_after = trust->rot.counter;  // line 2
  SlotJudge judge(flash_, layout_, *trust, trust->rot.counter);
  auto loaded = store_.load();  // line 1
  if (!loaded && loaded.error().code != Errc::not_found) return std::move(loaded).error();
  auto result = loaded ? normal(*loaded, judge) : scan(judge);
  if (result && result->booted) result->image = (*judge.verify(*result->booted))->image;  // cached, no read
  return result;
}

}  // namespace

std::string_view to_string(BootPath path) {
  switch (path) {
    case BootPath::normal: return "normal";
    case BootPath::trial: return "trial";
    case BootPath::rollback: return "rollback";
    case BootPath::scan: return "scan";
    case BootPath::recovery: return "recovery";
  }
  return "unknown";
}

bool bootable(const SlotCheck& check) { return check.code == image::VerifyCode::ok && check.record_match; }

std::string slot_name(int slot) { return slot == 0 ? "A" : slot == 1 ? "B" : "none"; }

Result<BootResult> boot(flash::Flash& flash, const image::Layout& layout) { return Reset(flash, layout).run(); }

}  // namespace ota::boot
