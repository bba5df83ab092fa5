// MemFlash: BOOT-SPEC F3 (erase whole sectors) and F4 (strict / nor program rules).
#include "flash/mem_flash.h"
#include "core/hex.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>

namespace ota::flash {
namespace {

std::string range(uint64_t offset, uint64_t length) {
  return hex_number(offset) + " (" + std::to_string(length) + " bytes)";
}

}  // namespace

Bytes erased_image(const Geometry& geometry) {
  Bytes out;
  out.reserve(geometry.size());
  for (const Device& d : geometry.devices) out.insert(out.end(), d.size(), d.erased);
  return out;
}

MemFlash::MemFlash(Geometry geometry, ProgramRule rule)
    : MemFlash(geometry, erased_image(geometry), rule) {}

MemFlash::MemFlash(Geometry geometry, Bytes contents, ProgramRule rule)
    : geometry_(std::move(geometry)), rule_(rule), bytes_(std::move(contents)) {
  assert(bytes_.size() == geometry_.size());
  uint64_t base = 0;
  size_t granules = 0;
  for (const Device& d : geometry_.devices) {
    const uint32_t ws = d.write_size;
    assert(ws != 0 && (ws & (ws - 1)) == 0 && ws <= 32);
    assert(d.erased == 0xFF || d.erased == 0x00);
    assert(base % ws == 0);
    spans_.push_back(Span{base, base + d.size(), ws, d.page_size, d.erased, granules});
    granules += static_cast<size_t>((d.size() + ws - 1) / ws);
    base += d.size();
  }
  programmed_.assign(granules, false);
  erase_counts_.assign(geometry_.sector_count(), 0);
  // Loaded content counts as programmed wherever it is not erased (same rule as poke).
  for (const Span& sp : spans_)
    for (uint64_t i = sp.base; i < sp.end; ++i)
      if (bytes_[i] != sp.erased) programmed_[sp.granule_base + static_cast<size_t>((i - sp.base) / sp.ws)] = true;
}

const MemFlash::Span& MemFlash::span_at(uint64_t offset) const {
  for (const Span& sp : spans_)
    if (offset < sp.end) return sp;
  return spans_.back();
}

size_t MemFlash::granule(uint64_t offset) const {
  const Span& sp = span_at(offset);
  return sp.granule_base + static_cast<size_t>((offset - sp.base) / sp.ws);
}

Result<MemFlash> MemFlash::from_image(Geometry geometry, Bytes contents, ProgramRule rule) {
  if (contents.size() != geometry.size())
    return Error{Errc::invalid_argument,
                 "flash image is " + std::to_string(contents.size()) + " bytes but the geometry is " +
                     std::to_string(geometry.size()) + " bytes; check the layout's sectors"};
  return MemFlash(std::move(geometry), std::move(contents), rule);
}

Result<void> MemFlash::read(uint64_t offset, std::span<uint8_t> out) {
  if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
    return Error{Errc::invalid_argument,
                 "read at " + range(offset, out.size()) + " passes the flash end " + hex_number(bytes_.size())};
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
  if (unstable_.empty() || out.empty()) return {};
  const uint64_t read_no = ++reads_;
  const uint64_t first = offset - offset % span_at(offset).ws;  // the granule holding `offset`
  for (auto it = unstable_.lower_bound(first); it != unstable_.end() && it->first < offset + out.size(); ++it) {
    const UnstableCell& cell = it->second;
    for (uint64_t j = 0; j < cell.old_bytes.size(); ++j) {
      const uint64_t at = it->first + j;
      if (at < offset || at >= offset + out.size()) continue;
      // splitmix64 of (seed, read, byte): which differing bits read as new this time.
      uint64_t z = cell.seed ^ (read_no * 0x9E3779B97F4A7C15ull) ^ (at * 0xD1B54A32D192ED03ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const uint8_t old_value = cell.old_bytes[j], new_value = cell.new_bytes[j];
      out[at - offset] = static_cast<uint8_t>(old_value ^ ((old_value ^ new_value) & uint8_t(z)));
    }
  }
  return {};
}

void MemFlash::make_unstable(uint64_t offset, ByteView old_bytes, ByteView new_bytes, uint64_t seed) {
  [[maybe_unused]] const uint64_t ws = span_at(offset).ws;
  assert(offset % ws == 0 && old_bytes.size() == ws && new_bytes.size() == ws && offset + ws <= bytes_.size());
  unstable_[offset] = UnstableCell{Bytes(old_bytes.begin(), old_bytes.end()),
                                   Bytes(new_bytes.begin(), new_bytes.end()), seed};
}

bool MemFlash::unstable(uint64_t offset) const {
  return unstable_.count(offset - offset % span_at(offset).ws) != 0;
}

Result<void> MemFlash::check_program(uint64_t offset, ByteView data) const {
  const std::string what = "program at " + range(offset, data.size());
  if (data.empty()) return Error{Errc::invalid_argument, what + ": nothing to program"};
  if (offset > bytes_.size() || data.size() > bytes_.size() - offset)
    return Error{Errc::invalid_argument, what + ": passes the flash end " + hex_number(bytes_.size())};
  const Span& sp = span_at(offset);
  const uint64_t ws = sp.ws;
  if (offset % ws != 0 || data.size() % ws != 0)
    return Error{Errc::invalid_argument,
                 what + ": offset and length must be multiples of write_size " + std::to_string(ws)};
  if (offset + data.size() > sp.end)
    return Error{Errc::invalid_argument, what + ": crosses the end of its flash device at " + hex_number(sp.end)};
  const uint64_t page = sp.page;
  if (page != 0 && offset / page != (offset + data.size() - 1) / page)
    return Error{Errc::invalid_argument,
                 what + ": crosses the page boundary " + hex_number((offset / page + 1) * page) +
                     "; split it with program_pages"};
  const uint8_t erased = sp.erased;
  if (rule_ == ProgramRule::strict) {
    const size_t first = granule(offset);
    for (size_t g = first; g < first + data.size() / ws; ++g)
      if (programmed_[g])
        return Error{Errc::rejected, what + ": granule " + hex_number(offset + (g - first) * ws) +
                                         " was already programmed since its erase"};
    return {};
  }
  for (uint64_t at = offset; at < offset + data.size(); at += ws) {
    // nor: a program only moves bits away from the erased value. A bit that is already
    // programmed but erased in `data` would need an erase (0->1 for 0xff flash).
    for (uint64_t i = at; i < at + ws; ++i) {
      const uint8_t was = bytes_[i] ^ erased;       // programmed bits now
      const uint8_t want = data[i - offset] ^ erased;  // programmed bits requested
      if ((was & ~want) != 0)
        return Error{Errc::rejected, what + ": byte " + hex_number(i) + " needs erase (" +
                                         hex_number(bytes_[i]) + " -> " + hex_number(data[i - offset]) + ")"};
    }
  }
  return {};
}

Result<void> MemFlash::program(uint64_t offset, ByteView data) {
  OTA_TRY(check_program(offset, data));
  const Span& sp = span_at(offset);
  const uint8_t erased = sp.erased;
  for (size_t i = 0; i < data.size(); ++i) {
    // new = old & data on 0xff flash, old | data on 0x00 flash: programmed bits accumulate.
    uint8_t& cell = bytes_[offset + i];
    cell = static_cast<uint8_t>(((cell ^ erased) | (data[i] ^ erased)) ^ erased);
  }
  const size_t first = granule(offset);
  std::fill(programmed_.begin() + long(first), programmed_.begin() + long(first + data.size() / sp.ws), true);
  // A completed program settles the cells.
  unstable_.erase(unstable_.lower_bound(offset), unstable_.lower_bound(offset + data.size()));
  ++programs_;
  return {};
}

Result<void> MemFlash::check_erase(uint64_t offset, uint64_t length) const {
  if (!geometry_.sector_aligned(offset, length)) {
    std::string why = "is not whole sectors";
    if (length == 0) why = "is empty";
    else if (offset >= bytes_.size() || length > bytes_.size() - offset)
      why = "passes the flash end " + hex_number(bytes_.size());
    return Error{Errc::invalid_argument, "erase at " + range(offset, length) + " " + why};
  }
  return {};
}

Result<void> MemFlash::erase(uint64_t offset, uint64_t length) {
  OTA_TRY(check_erase(offset, length));
  const Span& sp = span_at(offset);  // check_erase: one device
  std::fill_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), length, sp.erased);
  const size_t first = granule(offset);
  std::fill(programmed_.begin() + long(first), programmed_.begin() + long(first + length / sp.ws), false);
  unstable_.erase(unstable_.lower_bound(offset), unstable_.lower_bound(offset + length));
  for (uint64_t at = offset; at < offset + length;) {
    const Sector sector = *geometry_.sector_at(at);
    ++erase_counts_[sector.index];
    at = sector.offset + sector.size;
  }
  ++erases_;
  return {};
}

void MemFlash::poke(uint64_t offset, ByteView data) {
  assert(offset <= bytes_.size() && data.size() <= bytes_.size() - offset);
  std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
  for (uint64_t i = offset; i < offset + data.size(); ++i)
    if (bytes_[i] != span_at(i).erased) programmed_[granule(i)] = true;
}

void MemFlash::mark_programmed(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  assert(offset < bytes_.size() && length <= bytes_.size() - offset);
  for (uint64_t i = offset; i < offset + length; ++i) programmed_[granule(i)] = true;
}

bool MemFlash::programmed(uint64_t offset) const {
  assert(offset < bytes_.size());
  return programmed_[granule(offset)];
}

uint64_t MemFlash::erase_count(size_t sector_index) const {
  assert(sector_index < erase_counts_.size());
  return erase_counts_[sector_index];
}

}  // namespace ota::flash
