#include "agent/journal.h"

#include <algorithm>
#include <cstring>

#include "core/hex.h"

namespace ota::agent {
namespace {

using image::crc32_ieee;

// Byte offsets (docs/agent.md has the table).
constexpr size_t kOffMagic = 0, kOffVersion = 4, kOffSize = 6, kOffSeq = 8, kOffPhase = 12, kOffDelivery = 13,
                 kOffSlot = 14, kOffPad = 15, kOffAttempts = 16, kOffPad2 = 18, kOffChunk = 20, kOffLength = 24,
                 kOffTarget = 32, kOffPayload = 64, kOffReserved = 96, kOffCrc = 124;

Error corrupt(std::string what) { return Error{Errc::corrupt, "journal: " + std::move(what)}; }

}  // namespace

std::string_view to_string(Delivery delivery) { return delivery == Delivery::delta ? "delta" : "full"; }

std::string_view to_string(JournalPhase phase) {
  switch (phase) {
    case JournalPhase::idle: return "idle";
    case JournalPhase::downloading: return "downloading";
    case JournalPhase::writing: return "writing";
    case JournalPhase::committed: return "committed";
  }
  return "?";
}

Bytes encode_journal(const JournalRecord& r) {
  Bytes out(kJournalSize, 0);
  uint8_t* p = out.data();
  store_le32(p + kOffMagic, kJournalMagic);
  store_le16(p + kOffVersion, kJournalVersion);
  store_le16(p + kOffSize, uint16_t(kJournalSize));
  store_le32(p + kOffSeq, r.seq);
  p[kOffPhase] = uint8_t(r.phase);
  p[kOffDelivery] = uint8_t(r.delivery);
  p[kOffSlot] = r.slot;
  store_le16(p + kOffAttempts, r.attempts);
  store_le32(p + kOffChunk, r.chunk_size);
  store_le32(p + kOffLength, uint32_t(r.payload_length));
  store_le32(p + kOffLength + 4, uint32_t(r.payload_length >> 32));
  std::memcpy(p + kOffTarget, r.target_sha256.data(), 32);
  std::memcpy(p + kOffPayload, r.payload_sha256.data(), 32);
  store_le32(p + kOffCrc, crc32_ieee(ByteView(out).first(kOffCrc)));
  return out;
}

Result<JournalRecord> decode_journal(ByteView bytes) {
  if (bytes.size() != kJournalSize) return corrupt("record is " + std::to_string(bytes.size()) + " bytes, expected 128");
  const uint8_t* p = bytes.data();
  if (uint32_t magic = load_le32(p + kOffMagic); magic != kJournalMagic)
    return corrupt("bad magic " + hex_number(magic) + ", expected " + hex_number(kJournalMagic));
  if (uint16_t v = load_le16(p + kOffVersion); v != kJournalVersion)
    return corrupt("unsupported format version " + std::to_string(v) + ", expected 1");
  if (uint16_t size = load_le16(p + kOffSize); size != kJournalSize)
    return corrupt("record size " + std::to_string(size) + ", expected 128");
  const uint32_t stored = load_le32(p + kOffCrc), computed = crc32_ieee(bytes.first(kOffCrc));
  if (stored != computed) return corrupt("bad CRC " + hex_number(stored) + ", computed " + hex_number(computed));
  JournalRecord r;
  r.seq = load_le32(p + kOffSeq);
  if (p[kOffPhase] > uint8_t(JournalPhase::committed)) return corrupt("undefined phase " + std::to_string(p[kOffPhase]));
  r.phase = JournalPhase(p[kOffPhase]);
  if (p[kOffDelivery] > uint8_t(Delivery::delta)) return corrupt("undefined delivery " + std::to_string(p[kOffDelivery]));
  r.delivery = Delivery(p[kOffDelivery]);
  if (p[kOffSlot] > 1) return corrupt("slot " + std::to_string(p[kOffSlot]) + " is not 0 or 1");
  r.slot = p[kOffSlot];
  r.attempts = load_le16(p + kOffAttempts);
  r.chunk_size = load_le32(p + kOffChunk);
  r.payload_length = uint64_t(load_le32(p + kOffLength)) | uint64_t(load_le32(p + kOffLength + 4)) << 32;
  std::memcpy(r.target_sha256.data(), p + kOffTarget, 32);
  std::memcpy(r.payload_sha256.data(), p + kOffPayload, 32);
  if (p[kOffPad] != 0 || load_le16(p + kOffPad2) != 0 ||
      std::any_of(p + kOffReserved, p + kOffCrc, [](uint8_t b) { return b != 0; }))
    return corrupt("reserved bytes are not 0");
  return r;
}

Result<ScratchArea> scratch_area(const image::Layout& layout) {
  const image::Region* scratch = layout.find("scratch");
  if (!scratch)
    return Error{Errc::invalid_argument, "the layout has no 'scratch' region; the agent keeps its journal there (2 sectors)"};
  const auto& g = layout.geometry;
  ScratchArea area;
  uint64_t at = scratch->offset;
  const uint64_t end = scratch->offset + scratch->size;
  for (size_t i = 0; i < 2; ++i) {
    auto sector = g.sector_at(at);
    if (!sector || at + sector->size > end)
      return Error{Errc::invalid_argument, "region 'scratch' (size " + hex_number(scratch->size) +
                                               ") spans fewer than 2 sectors; the agent's journal needs 2"};
    area.journal[i] = image::Region{"journal" + std::to_string(i), at, sector->size, std::nullopt};
    at += sector->size;
  }
  if (at < end) area.staging = image::Region{"staging", at, end - at, std::nullopt};
  return area;
}

Journal::Journal(flash::Flash& flash, const ScratchArea& area)
    : copies_(flash, {area.journal[0], area.journal[1]}, kJournalSize,
              [](ByteView raw) -> Result<uint32_t> {
                auto r = decode_journal(raw);
                if (!r) return std::move(r).error();
                return r->seq;
              },
              "journal") {}

Result<std::optional<JournalRecord>> Journal::load() {
  auto scanned = copies_.scan();
  if (!scanned) return std::move(scanned).error();
  if (!scanned->current) return std::optional<JournalRecord>();
  auto r = decode_journal(scanned->copies[*scanned->current].raw);
  if (!r) return std::move(r).error();
  return std::optional<JournalRecord>(std::move(*r));
}

Result<uint32_t> Journal::write(JournalRecord record) {
  return copies_.write([&](uint32_t seq) {
    record.seq = seq;
    return encode_journal(record);
  });
}

}  // namespace ota::agent
