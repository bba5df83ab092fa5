#include "flash/counter_device.h"

#include <zlib.h>

#include <cstring>
#include <string>

namespace ota::flash {
namespace {

constexpr char kMagic[4] = {'O', 'C', 'T', 'R'};
constexpr size_t kHeaderBytes = 16;  // magic, version u32, budget u32 (0xFFFFFFFF: none), count u32
constexpr size_t kEntryBytes = 16;   // id u32, increments u32, value u64
constexpr uint32_t kNoBudget = 0xFFFFFFFFu;

uint32_t crc(ByteView b) { return uint32_t(crc32(crc32(0, nullptr, 0), b.data(), uInt(b.size()))); }

}  // namespace

uint64_t CounterDevice::read(uint32_t id) const {
  auto it = counters_.find(id);
  return it == counters_.end() ? 0 : it->second.value;
}

uint32_t CounterDevice::increments(uint32_t id) const {
  auto it = counters_.find(id);
  return it == counters_.end() ? 0 : it->second.increments;
}

Result<void> CounterDevice::advance(uint32_t id, uint64_t value) {
  Entry& e = counters_[id];
  if (value <= e.value) return {};
  if (budget_ && e.increments >= *budget_)
    return Error{Errc::rejected, "counter " + std::to_string(id) + ": its budget of " + std::to_string(*budget_) +
                                     " increments is used up; it stays at " + std::to_string(e.value)};
  e.value = value;
  ++e.increments;
  return {};
}

Bytes CounterDevice::serialize() const {
  Bytes out(kHeaderBytes + kEntryBytes * counters_.size() + 4);
  std::memcpy(out.data(), kMagic, 4);
  store_le32(out.data() + 4, 1);
  store_le32(out.data() + 8, budget_ ? *budget_ : kNoBudget);
  store_le32(out.data() + 12, uint32_t(counters_.size()));
  uint8_t* p = out.data() + kHeaderBytes;
  for (const auto& [id, e] : counters_) {
    store_le32(p, id);
    store_le32(p + 4, e.increments);
    store_le64(p + 8, e.value);
    p += kEntryBytes;
  }
  store_le32(p, crc({out.data(), out.size() - 4}));
  return out;
}

Result<CounterDevice> CounterDevice::parse(ByteView b) {
  auto bad = [](const std::string& why) { return Error{Errc::corrupt, "counter store: " + why}; };
  if (b.size() < kHeaderBytes + 4 || std::memcmp(b.data(), kMagic, 4) != 0) return bad("not an OCTR file");
  if (load_le32(b.data() + 4) != 1)
    return Error{Errc::unsupported, "counter store: version " + std::to_string(load_le32(b.data() + 4)) +
                                        " is not supported; this build reads version 1"};
  const uint64_t count = load_le32(b.data() + 12);
  if (b.size() != kHeaderBytes + kEntryBytes * count + 4)
    return bad("declares " + std::to_string(count) + " counters but has " + std::to_string(b.size()) + " bytes");
  if (load_le32(b.data() + b.size() - 4) != crc(b.first(b.size() - 4))) return bad("CRC-32 mismatch (corrupt)");
  const uint32_t budget = load_le32(b.data() + 8);
  CounterDevice d(budget == kNoBudget ? std::nullopt : std::optional<uint32_t>(budget));
  const uint8_t* p = b.data() + kHeaderBytes;
  bool first = true;
  uint32_t last_id = 0;
  for (uint64_t i = 0; i < count; ++i, p += kEntryBytes) {
    const uint32_t id = load_le32(p);
    if (!first && id <= last_id) return bad("counter ids are not in increasing order");
    Entry e{load_le64(p + 8), load_le32(p + 4)};
    if (d.budget_ && e.increments > *d.budget_) return bad("counter " + std::to_string(id) + " is over its budget");
    d.counters_[id] = e;
    first = false;
    last_id = id;
  }
  return d;
}

}  // namespace ota::flash
