// The boot-control record: BOOT-SPEC C2 encoding, C3 selection, C4 write protocol.
#include "image/bcr.h"
#include "core/hex.h"
#include "image/record_copies.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

namespace ota::image {
namespace {

// Byte offsets of the C2 record (docs/image-format.md has the table).
constexpr size_t kOffMagic = 0, kOffVersion = 4, kOffSize = 6, kOffSeq = 8, kOffActive = 12,
                 kOffPending = 13, kOffOp = 14, kOffFlags = 15, kOffSlots = 16,
                 kSlotStride = 12, kOffAttempts = 40, kOffReserved = 44, kReservedSize = 16,
                 kOffCrc = 60;

// Messages name the defect only; callers add which copy (BcrCopy::problem, load()).
Error corrupt(std::string what) { return Error{Errc::corrupt, std::move(what)}; }

bool valid_slot_number(uint8_t slot) { return slot == 0 || slot == 1 || slot == kNoSlot; }

}  // namespace

std::string_view to_string(SlotState state) {
  switch (state) {
    case SlotState::empty: return "empty";
    case SlotState::installing: return "installing";
    case SlotState::pending: return "pending";
    case SlotState::trial: return "trial";
    case SlotState::confirmed: return "confirmed";
    case SlotState::failed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(BcrOp op) {
  switch (op) {
    case BcrOp::none: return "none";
    case BcrOp::install_started: return "install-started";
    case BcrOp::activate: return "activate";
    case BcrOp::confirm: return "confirm";
    case BcrOp::mark_bad: return "mark-bad";
    case BcrOp::rollback: return "rollback";
  }
  return "unknown";
}

std::string_view to_string(FailReason reason) {
  switch (reason) {
    case FailReason::none: return "none";
    case FailReason::verify: return "verify";
    case FailReason::tries_exhausted: return "tries-exhausted";
    case FailReason::marked_bad: return "marked-bad";
    case FailReason::rollback_floor: return "rollback-floor";
    case FailReason::install_failed: return "install-failed";
  }
  return "unknown";
}

Bytes encode_bcr(const BootControl& r) {
  Bytes out(kBcrSize, 0);
  uint8_t* p = out.data();
  store_le32(p + kOffMagic, kBcrMagic);
  store_le16(p + kOffVersion, kBcrFormatVersion);
  store_le16(p + kOffSize, static_cast<uint16_t>(kBcrSize));
  store_le32(p + kOffSeq, r.seq);
  p[kOffActive] = r.active_slot;
  p[kOffPending] = r.pending_slot;
  p[kOffOp] = static_cast<uint8_t>(r.op);
  p[kOffFlags] = r.flags;
  for (size_t i = 0; i < 2; ++i) {
    uint8_t* s = p + kOffSlots + i * kSlotStride;
    s[0] = static_cast<uint8_t>(r.slot[i].state);
    s[1] = r.slot[i].priority;
    s[2] = r.slot[i].tries_left;
    s[3] = static_cast<uint8_t>(r.slot[i].reason);
    store_le32(s + 4, r.slot[i].sec_cnt);
    store_le32(s + 8, r.slot[i].digest32);
  }
  store_le32(p + kOffAttempts, r.boot_attempts);
  store_le32(p + kOffCrc, crc32_ieee(ByteView(out).first(kOffCrc)));
  return out;
}

// Framing first (length, magic, version, size, CRC), then field values: a torn or
// foreign copy is reported by the cheapest check that explains it.
Result<BootControl> decode_bcr(ByteView bytes) {
  if (bytes.size() != kBcrSize)
    return corrupt("record is " + std::to_string(bytes.size()) + " bytes, expected 64");
  const uint8_t* p = bytes.data();
  if (uint32_t magic = load_le32(p + kOffMagic); magic != kBcrMagic)
    return corrupt("bad magic " + hex_number(magic) + ", expected " + hex_number(kBcrMagic));
  if (uint16_t version = load_le16(p + kOffVersion); version != kBcrFormatVersion)
    return corrupt("unsupported format version " + std::to_string(version) + ", expected 1");
  if (uint16_t size = load_le16(p + kOffSize); size != kBcrSize)
    return corrupt("record size " + std::to_string(size) + ", expected 64");
  const uint32_t stored = load_le32(p + kOffCrc), computed = crc32_ieee(bytes.first(kOffCrc));
  if (stored != computed)
    return corrupt("bad CRC " + hex_number(stored) + ", computed " + hex_number(computed));

  BootControl r;
  r.seq = load_le32(p + kOffSeq);
  r.active_slot = p[kOffActive];
  r.pending_slot = p[kOffPending];
  if (!valid_slot_number(r.active_slot))
    return corrupt("active slot " + hex_number(r.active_slot) + " is not 0, 1 or 0xff");
  if (!valid_slot_number(r.pending_slot))
    return corrupt("pending slot " + hex_number(r.pending_slot) + " is not 0, 1 or 0xff");
  if (p[kOffOp] > static_cast<uint8_t>(BcrOp::rollback))
    return corrupt("undefined op " + std::to_string(p[kOffOp]));
  r.op = static_cast<BcrOp>(p[kOffOp]);
  r.flags = p[kOffFlags];
  if ((r.flags & ~kFlagPreventLateFallback) != 0)
    return corrupt("undefined flag bits " + hex_number(r.flags & ~kFlagPreventLateFallback));
  for (size_t i = 0; i < 2; ++i) {
    const uint8_t* s = p + kOffSlots + i * kSlotStride;
    const std::string name = i == 0 ? "slot A" : "slot B";
    if (s[0] > static_cast<uint8_t>(SlotState::failed))
      return corrupt(name + " has undefined state " + std::to_string(s[0]));
    if (s[1] > 15) return corrupt(name + " priority " + std::to_string(s[1]) + " is above 15");
    if (s[2] > 7) return corrupt(name + " tries_left " + std::to_string(s[2]) + " is above 7");
    if (s[3] > static_cast<uint8_t>(FailReason::install_failed))
      return corrupt(name + " has undefined reason " + std::to_string(s[3]));
    r.slot[i] = SlotRecord{static_cast<SlotState>(s[0]), s[1], s[2], static_cast<FailReason>(s[3]),
                           load_le32(s + 4), load_le32(s + 8)};
  }
  r.boot_attempts = load_le32(p + kOffAttempts);
  for (size_t i = kOffReserved; i < kOffReserved + kReservedSize; ++i)
    if (p[i] != 0) return corrupt("reserved byte " + std::to_string(i) + " is " + hex_number(p[i]) + ", not 0");
  return r;
}

namespace {

RecordCopies copies_of(flash::Flash& flash, const std::vector<Region>& regions) {
  return RecordCopies(flash, regions, kBcrSize, [](ByteView raw) -> Result<uint32_t> {
    auto record = decode_bcr(raw);
    if (!record) return std::move(record).error();
    return record->seq;
  }, "boot-control record");
}

}  // namespace

BcrStore::BcrStore(flash::Flash& flash, const Layout& layout) : flash_(flash) {
  for (const Region* region : layout.bcr_copies()) copies_.push_back(*region);
}

Result<LoadedBcr> BcrStore::load() {
  auto scanned = copies_of(flash_, copies_).scan();
  if (!scanned) return std::move(scanned).error();
  LoadedBcr out;
  for (const RecordCopy& c : scanned->copies) out.copies.push_back({c.index, c.valid, c.seq, c.problem});
  if (!scanned->current) {
    std::string why;
    for (size_t i = 0; i < copies_.size(); ++i)
      why += (i ? "; " : "") + copies_[i].name + ": " + out.copies[i].problem;
    if (copies_.empty()) why = "the layout has no bcr regions";
    return Error{Errc::not_found, "no valid boot-control record (" + why + ")"};
  }
  out.copy = *scanned->current;
  auto record = decode_bcr(scanned->copies[out.copy].raw);
  if (!record) return std::move(record).error();  // scan() just decoded these bytes
  out.record = std::move(*record);
  out.warnings = std::move(scanned->warnings);
  return out;
}

Result<uint32_t> BcrStore::write(BootControl record) {
  if (copies_.size() < 2)
    return Error{Errc::invalid_argument, "the layout has " + std::to_string(copies_.size()) +
                                             " bcr regions; C1 needs at least 2 (bcr0, bcr1)"};
  return copies_of(flash_, copies_).write([&](uint32_t seq) {
    record.seq = seq;
    return encode_bcr(record);
  });
}

}  // namespace ota::image
