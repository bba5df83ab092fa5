// The written forms of a Layout: the flash-map descriptor (flash_map.h; its decoder trusts
// no length) and layout_to_yaml (layout.h), whose output parse_layout reads back equal.
#include "image/flash_map.h"
#include "core/hex.h"

#include <zlib.h>

#include <cassert>
#include <cstdio>
#include <limits>
#include <string>

namespace ota::image {
namespace {

constexpr size_t kNameSize = 16;
constexpr size_t kCrcSize = 4;
// Smallest descriptor: one run, one region, three one-byte strings, counter_slots, CRC.
constexpr size_t kMinSize =
    kFlashMapHeaderSize + kFlashMapRunSize + kFlashMapRegionSize + 3 * 2 + 4 + kCrcSize;

uint32_t crc32_of(ByteView bytes) {
  // total_length is a u32, so one zlib call (uInt length) covers any descriptor.
  return uint32_t(::crc32(::crc32(0L, Z_NULL, 0), bytes.data(), uInt(bytes.size())));
}

Error corrupt(const std::string& why) { return Error{Errc::corrupt, "flash map: " + why}; }

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  void u8(uint64_t v) { out_.push_back(uint8_t(v)); }
  void u16(uint64_t v) { le(v, 2); }
  void u32(uint64_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void text(const std::string& s) {
    assert(s.size() <= 0xff);
    u8(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(uint8_t(v >> (8 * i)));
  }
  Bytes& out_;
};

// Reads forward through `in`; every take() is bounds-checked, so a short input fails
// cleanly instead of reading past the end.
class Cursor {
 public:
  explicit Cursor(ByteView in) : in_(in) {}
  size_t left() const { return in_.size() - pos_; }
  bool take(size_t n, ByteView& out) {
    if (n > left()) return false;
    out = in_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool u8(uint8_t& v) {
    ByteView b;
    if (!take(1, b)) return false;
    v = b[0];
    return true;
  }
  bool text(std::string& s) {
    uint8_t n = 0;
    ByteView b;
    if (!u8(n) || !take(n, b)) return false;
    s.assign(b.begin(), b.end());
    return true;
  }

 private:
  ByteView in_;
  size_t pos_ = 0;
};


}  // namespace

size_t flash_map_size(const Layout& l) {
  return kFlashMapHeaderSize + l.geometry.sectors.size() * kFlashMapRunSize +
         l.regions.size() * kFlashMapRegionSize + 3 + l.device.size() + l.hardware_id.size() +
         l.vendor.size() + 4 + kCrcSize;
}

Bytes encode_flash_map(const Layout& l) {
  assert(validate_layout(l).has_value());
  const flash::Geometry& g = l.geometry;
  uint64_t flash_size = 0;
  for (const flash::SectorRun& run : g.sectors) flash_size += run.size * run.count;
  Bytes out;
  out.reserve(flash_map_size(l));
  Writer w(out);
  w.u32(kFlashMapMagic);
  w.u16(kFlashMapFormatVersion);
  w.u16(kFlashMapHeaderSize);
  w.u32(flash_map_size(l));
  w.u16(g.sectors.size());
  w.u8(l.regions.size());
  w.u8(l.boot.prevent_late_fallback ? kFlashMapPreventLateFallback : 0);
  w.u64(flash_size);
  w.u32(g.page_size);
  w.u8(g.write_size);
  w.u8(g.erased);
  w.u8(l.boot.tries);
  w.u8(0);  // reserved
  for (const flash::SectorRun& run : g.sectors) {
    w.u64(run.size);
    w.u64(run.count);
  }
  for (const Region& r : l.regions) {
    assert(r.name.size() < kNameSize);
    std::string name = r.name;
    name.resize(kNameSize, '\0');
    out.insert(out.end(), name.begin(), name.end());
    w.u64(r.offset);
    w.u64(r.size);
    w.u64(r.exec_addr.value_or(0));
    w.u32(r.exec_addr ? kFlashMapRegionHasExecAddr : 0);
    w.u32(0);  // reserved
  }
  w.text(l.device);
  w.text(l.hardware_id);
  w.text(l.vendor);
  w.u32(l.counter_slots);
  w.u32(crc32_of(out));
  assert(out.size() == flash_map_size(l));
  return out;
}

Result<Layout> decode_flash_map(ByteView in) {
  if (in.size() < kFlashMapHeaderSize)
    return corrupt(std::to_string(in.size()) + " bytes, shorter than the 32-byte header");
  const uint8_t* h = in.data();
  if (load_le32(h) != kFlashMapMagic)
    return corrupt("magic " + hex_number(load_le32(h)) +
                   " is not \"OFMP\"; the bootloader region holds no flash map");
  if (load_le16(h + 4) != kFlashMapFormatVersion)
    return corrupt("format version " + std::to_string(load_le16(h + 4)) +
                   " is not supported; this build reads 1");
  if (load_le16(h + 6) != kFlashMapHeaderSize)
    return corrupt("header_size " + std::to_string(load_le16(h + 6)) + " is not 32");
  const uint32_t total = load_le32(h + 8);
  if (total > in.size())
    return corrupt("total_length " + hex_number(total) + " runs past the " + hex_number(in.size()) + " bytes given");
  if (total < kMinSize) return corrupt("total_length " + hex_number(total) + " is shorter than any descriptor");
  // The CRC first: past it, a bad field is a writer's bug rather than a damaged flash.
  const uint32_t stored = load_le32(h + total - kCrcSize);
  if (const uint32_t crc = crc32_of(in.first(total - kCrcSize)); crc != stored)
    return corrupt("CRC-32 " + hex_number(crc) + " does not match the stored " + hex_number(stored) +
                   "; the descriptor is damaged");

  const size_t run_count = load_le16(h + 12);
  const size_t region_count = h[14];
  const uint8_t flags = h[15];
  const uint64_t flash_size = load_le64(h + 16);
  if (flags & ~kFlashMapPreventLateFallback) return corrupt("unknown header flags " + hex_number(flags));
  if (h[31] != 0) return corrupt("reserved header byte 31 is " + hex_number(h[31]) + ", not 0");
  if (run_count == 0 || region_count == 0) return corrupt("no sector runs or no regions");

  Layout l;
  flash::Geometry& g = l.geometry;
  g.page_size = load_le32(h + 24);
  g.write_size = h[28];
  g.erased = h[29];
  l.boot.tries = h[30];
  l.boot.prevent_late_fallback = flags & kFlashMapPreventLateFallback;

  Cursor c(in.subspan(kFlashMapHeaderSize, total - kFlashMapHeaderSize - kCrcSize));
  ByteView b;
  uint64_t sum = 0;
  for (size_t i = 0; i < run_count; ++i) {
    if (!c.take(kFlashMapRunSize, b))
      return corrupt(std::to_string(run_count) + " sector runs do not fit in total_length");
    const flash::SectorRun run{load_le64(b.data()), load_le64(b.data() + 8)};
    if (run.count != 0 && run.size > (std::numeric_limits<uint64_t>::max() - sum) / run.count)
      return corrupt("sector runs add up to more than 2^64 bytes");
    sum += run.size * run.count;
    g.sectors.push_back(run);
  }
  if (sum != flash_size)
    return corrupt("sector runs add up to " + hex_number(sum) + " bytes but the header says " + hex_number(flash_size));
  for (size_t i = 0; i < region_count; ++i) {
    if (!c.take(kFlashMapRegionSize, b))
      return corrupt(std::to_string(region_count) + " regions do not fit in total_length");
    const std::string what = "region entry " + std::to_string(i);
    Region r;
    size_t len = 0;
    while (len < kNameSize && b[len] != 0) ++len;
    r.name.assign(b.begin(), b.begin() + len);
    for (size_t k = len; k < kNameSize; ++k)
      if (b[k] != 0) return corrupt(what + ": the name is not NUL-padded");
    r.offset = load_le64(b.data() + 16);
    r.size = load_le64(b.data() + 24);
    const uint64_t exec_addr = load_le64(b.data() + 32);
    const uint32_t region_flags = load_le32(b.data() + 40);
    if ((region_flags & ~kFlashMapRegionHasExecAddr) != 0 || load_le32(b.data() + 44) != 0)
      return corrupt(what + ": unknown flags " + hex_number(region_flags) + " or nonzero reserved field");
    if (region_flags & kFlashMapRegionHasExecAddr)
      r.exec_addr = exec_addr;
    else if (exec_addr != 0)
      return corrupt(what + ": exec_addr " + hex_number(exec_addr) + " without flag bit0");
    l.regions.push_back(std::move(r));
  }
  if (!c.text(l.device) || !c.text(l.hardware_id) || !c.text(l.vendor) || !c.take(4, b))
    return corrupt("the device strings and counter_slots do not fit in total_length");
  l.counter_slots = load_le32(b.data());
  if (c.left() != 0)
    return corrupt(std::to_string(c.left()) + " unused bytes before the CRC; the lengths disagree");
  if (auto ok = validate_layout(l); !ok)
    return Error{Errc::corrupt, "flash map describes an invalid layout: " + ok.error().message};
  return l;
}

std::string layout_to_yaml(const Layout& l) {
  // Strings are double-quoted with \" and \\ escaped, so any printable ASCII reads back.
  auto q = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
  };
  const flash::Geometry& g = l.geometry;
  uint64_t size = 0;
  for (const flash::SectorRun& run : g.sectors) size += run.size * run.count;
  std::string y = "# flash layout (schemas/flash-layout.schema.json)\ndevice:\n";
  y +=
      "  name: " + q(l.device) + "\n  hardware_id: " + q(l.hardware_id) + "\n  vendor: " + q(l.vendor) + "\n";
  y += "  size: " + hex_number(size) + "\n";
  if (g.sectors.size() == 1) {
    y += "  sector_size: " + hex_number(g.sectors[0].size) + "\n";
  } else {
    y += "  sectors:\n";
    for (const flash::SectorRun& run : g.sectors)
      y += "    - {size: " + hex_number(run.size) + ", count: " + std::to_string(run.count) + "}\n";
  }
  y += "  write_size: " + std::to_string(g.write_size) + "\n";
  if (g.page_size != 0) y += "  page_size: " + std::to_string(g.page_size) + "\n";
  y += "  erased: " + hex_number(g.erased) + "\nregions:\n";
  for (const Region& r : l.regions) {
    y += "  - {name: " + q(r.name) + ", offset: " + hex_number(r.offset) + ", size: " + hex_number(r.size);
    y += (r.exec_addr ? ", exec_addr: " + hex_number(*r.exec_addr) : std::string()) + "}\n";
  }
  y += "boot: {tries: " + std::to_string(l.boot.tries) +
       ", prevent_late_fallback: " + (l.boot.prevent_late_fallback ? "true" : "false") + "}\n";
  y += "root_of_trust: {counter_slots: " + std::to_string(l.counter_slots) + "}\n";
  return y;
}

}  // namespace ota::image
