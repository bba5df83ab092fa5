// The boot-control record: BOOT-SPEC C2 encoding, C3 selection, C4 write protocol.
#include "image/bcr.h"
#include "core/hex.h"

#include <zlib.h>

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

// zlib's crc32 is CRC-32/IEEE: reflected 0xEDB88320, init and final xor 0xFFFFFFFF.
uint32_t crc32_ieee(ByteView bytes) {
  return static_cast<uint32_t>(
      ::crc32(::crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(bytes.size())));
}

// Messages name the defect only; callers add which copy (BcrCopy::problem, load()).
Error corrupt(std::string what) { return Error{Errc::corrupt, std::move(what)}; }

bool valid_slot_number(uint8_t slot) { return slot == 0 || slot == 1 || slot == kNoSlot; }

// One copy as read from flash.
struct CopyState {
  BcrCopy info;
  Bytes raw;
  std::optional<BootControl> record;
};

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

// RFC 1982 with SERIAL_BITS = 32: a is newer when (a - b) mod 2^32 is in (0, 2^31).
// Comparing as plain integers (or through a narrower type) breaks at the wrap (fwup#214).
bool seq_newer(uint32_t a, uint32_t b) {
  const uint32_t distance = a - b;
  return distance != 0 && distance < 0x80000000u;
}

BcrStore::BcrStore(flash::Flash& flash, const Layout& layout) : flash_(flash) {
  for (const Region* region : layout.bcr_copies()) copies_.push_back(*region);
}

namespace {

// Reads every copy (reads only, C7) and picks the C3 winner; nullopt when none is valid.
struct Scan {
  std::vector<CopyState> copies;
  std::optional<size_t> current;
  std::vector<std::string> warnings;
};

Result<Scan> scan(flash::Flash& flash, const std::vector<Region>& regions) {
  Scan out;
  const uint8_t erased = flash.geometry().erased;
  for (size_t i = 0; i < regions.size(); ++i) {
    CopyState copy;
    copy.info.index = i;
    const Region& region = regions[i];
    if (region.size < kBcrSize) {
      copy.info.problem = "region '" + region.name + "' is smaller than 64 bytes";
      out.copies.push_back(std::move(copy));
      continue;
    }
    copy.raw.assign(kBcrSize, 0);
    if (auto read = flash.read(region.offset, copy.raw); !read)
      return std::move(read).error().with_context("reading " + region.name);
    if (std::all_of(copy.raw.begin(), copy.raw.end(), [&](uint8_t b) { return b == erased; })) {
      copy.info.problem = "erased";
    } else if (auto decoded = decode_bcr(copy.raw); !decoded) {
      copy.info.problem = decoded.error().message;
    } else {
      copy.info.valid = true;
      copy.info.seq = decoded->seq;
      copy.record = std::move(*decoded);
    }
    out.copies.push_back(std::move(copy));
  }
  for (size_t i = 0; i < out.copies.size(); ++i) {
    const CopyState& c = out.copies[i];
    if (!c.info.valid) continue;
    if (!out.current) {
      out.current = i;
      continue;
    }
    const CopyState& best = out.copies[*out.current];
    if (seq_newer(c.info.seq, best.info.seq)) {
      out.current = i;
    } else if (c.info.seq == best.info.seq && c.raw != best.raw) {
      // Two writers or a bug produced two different records under one seq: keep the
      // lower copy, deterministically, and say so.
      out.warnings.push_back(regions[i].name + " and " + regions[*out.current].name +
                             " hold different records with the same seq " +
                             std::to_string(c.info.seq) + "; using " + regions[*out.current].name);
    }
  }
  return out;
}

}  // namespace

Result<LoadedBcr> BcrStore::load() {
  auto scanned = scan(flash_, copies_);
  if (!scanned) return std::move(scanned).error();
  LoadedBcr out;
  for (const CopyState& c : scanned->copies) out.copies.push_back(c.info);
  if (!scanned->current) {
    std::string why;
    for (size_t i = 0; i < copies_.size(); ++i)
      why += (i ? "; " : "") + copies_[i].name + ": " + out.copies[i].problem;
    if (copies_.empty()) why = "the layout has no bcr regions";
    return Error{Errc::not_found, "no valid boot-control record (" + why + ")"};
  }
  out.copy = *scanned->current;
  out.record = *scanned->copies[out.copy].record;
  out.warnings = std::move(scanned->warnings);
  return out;
}

Result<uint32_t> BcrStore::write(BootControl record) {
  if (copies_.size() < 2)
    return Error{Errc::invalid_argument, "the layout has " + std::to_string(copies_.size()) +
                                             " bcr regions; C1 needs at least 2 (bcr0, bcr1)"};
  auto scanned = scan(flash_, copies_);
  if (!scanned) return std::move(scanned).error().with_context("writing the boot-control record");
  const auto& copies = scanned->copies;
  record.seq = scanned->current ? copies[*scanned->current].record->seq + 1 : 1;
  Bytes encoded = encode_bcr(record);
  // Refuse to write what no reader would accept (it would only cost a good old copy).
  if (auto check = decode_bcr(encoded); !check)
    return Error{Errc::invalid_argument, "refusing to write an invalid record: " + check.error().message};

  // Target: the first invalid copy, else the oldest valid one; never the current copy,
  // so a cut anywhere below leaves the current record intact and selectable.
  std::optional<size_t> target;
  for (size_t i = 0; i < copies.size() && !target; ++i)
    if (!copies[i].info.valid) target = i;
  for (size_t i = 0; i < copies.size() && !target.has_value(); ++i) {
    if (i == *scanned->current) continue;
    bool oldest = true;
    for (size_t j = 0; j < copies.size(); ++j)
      if (j != i && seq_newer(copies[i].info.seq, copies[j].info.seq)) oldest = false;
    if (oldest) target = i;
  }
  if (!target)  // cyclic seqs among 3+ copies: any non-current copy is safe to reuse
    target = *scanned->current == 0 ? 1 : 0;
  const Region& region = copies_[*target];
  const std::string context = "writing " + region.name;

  if (auto erased = flash_.erase(region.offset, region.size); !erased)
    return std::move(erased).error().with_context(context);
  if (auto programmed = flash::program_pages(flash_, region.offset, encoded); !programmed)
    return std::move(programmed).error().with_context(context);
  Bytes back(kBcrSize, 0);
  if (auto read = flash_.read(region.offset, back); !read)
    return std::move(read).error().with_context(context);
  if (back != encoded)
    return Error{Errc::io, "read-back of " + region.name + " differs from the record written at " +
                               hex_number(region.offset) + "; the flash may be worn"};
  return record.seq;
}

}  // namespace ota::image
