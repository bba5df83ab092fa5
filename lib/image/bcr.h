// The boot-control record (BOOT-SPEC C1-C4, C6, C7; docs/image-format.md): 64 bytes,
// little-endian, one copy per region bcr0, bcr1[, bcr2], each in its own erase sector(s).
// Written by the C4 protocol so that a power cut at any flash operation leaves either
// the old or the new record selectable.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "image/record_copies.h"

namespace ota::image {

inline constexpr uint32_t kBcrMagic = 0x5243424F;  // "OBCR" in file order
inline constexpr uint16_t kBcrFormatVersion = 1;
inline constexpr size_t kBcrSize = 64;
inline constexpr uint8_t kNoSlot = 0xFF;

enum class SlotState : uint8_t { empty = 0, installing = 1, pending = 2, trial = 3, confirmed = 4, failed = 5 };
enum class BcrOp : uint8_t { none = 0, install_started = 1, activate = 2, confirm = 3, mark_bad = 4, rollback = 5 };
// Why a slot is FAILED (reason byte); 0 while it is not.
enum class FailReason : uint8_t {
  none = 0,
  verify = 1,           // the image failed the bootloader's I5 check
  tries_exhausted = 2,  // trial boots ran out before a confirm
  marked_bad = 3,       // the agent's health check failed
  rollback_floor = 4,   // its SEC_CNT is below the anti-rollback counter
  install_failed = 5,   // the agent gave up writing it
};
inline constexpr uint8_t kFlagPreventLateFallback = 0x01;

struct SlotRecord {
  SlotState state = SlotState::empty;
  uint8_t priority = 0;    // 0..15, 0 = never boot
  uint8_t tries_left = 0;  // 0..7
  FailReason reason = FailReason::none;
  uint32_t sec_cnt = 0;    // SEC_CNT of the image this entry describes
  uint32_t digest32 = 0;   // first 4 bytes of that image's SHA-256 TLV, read little-endian
  bool operator==(const SlotRecord&) const = default;
};

struct BootControl {
  uint32_t seq = 0;              // +1 on every write; compared as RFC 1982 serial numbers
  uint8_t active_slot = kNoSlot;  // last confirmed slot: 0 = A, 1 = B
  uint8_t pending_slot = kNoSlot; // slot under trial
  BcrOp op = BcrOp::none;         // the last operation written
  uint8_t flags = 0;              // bit0 prevent_late_fallback; others 0
  std::array<SlotRecord, 2> slot{};
  uint32_t boot_attempts = 0;     // diagnostics: total trial boots
  bool operator==(const BootControl&) const = default;
};

std::string_view to_string(SlotState state);
std::string_view to_string(BcrOp op);
std::string_view to_string(FailReason reason);

// The 64 bytes of a record, CRC-32/IEEE over bytes 0..59 in the last four.
Bytes encode_bcr(const BootControl& record);
// Errc::corrupt (with what is wrong) unless magic, format version, record size and CRC
// match, every enum holds a defined value, slots are 0, 1 or 0xFF, reserved bytes are 0.
Result<BootControl> decode_bcr(ByteView bytes);

// seq_newer (RFC 1982 order) is in record_copies.h.

struct BcrCopy {
  size_t index = 0;          // 0 for bcr0, ...
  bool valid = false;
  uint32_t seq = 0;          // when valid
  std::string problem;       // when invalid: "erased", "bad CRC", ...
};

struct LoadedBcr {
  BootControl record;          // the selected copy's record
  size_t copy = 0;             // which copy it came from
  std::vector<BcrCopy> copies;
  std::vector<std::string> warnings;  // e.g. two copies with one seq and different content
};

// The C4 write protocol over a Flash and the layout's BCR copy regions.
class BcrStore {
 public:
  BcrStore(flash::Flash& flash, const Layout& layout);

  // C3: reads every copy and selects the newest valid one. Reads only: no program or
  // erase, ever (C7). Errc::not_found when no copy is valid (C6: the bootloader's scan
  // mode), with each copy's problem in the message.
  Result<LoadedBcr> load();

  // C4: reads all copies, sets record.seq to the current seq + 1 (1 when no copy is
  // valid), erases the regions of the oldest or an invalid copy (never the current one),
  // programs the record at the start of that region and reads it back. Returns the seq
  // written. A failure (or a power cut) at any step leaves the previous record selectable.
  Result<uint32_t> write(BootControl record);

 private:
  flash::Flash& flash_;
  std::vector<Region> copies_;
};

}  // namespace ota::image
