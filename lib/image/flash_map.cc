// The written forms of a Layout: the flash-map descriptor (flash_map.h; its decoder trusts
// no length) and layout_to_yaml (layout.h), whose output parse_layout reads back equal.
#include "image/flash_map.h"
#include "core/hex.h"

#include <zlib.h>

#include <cassert>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

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

namespace {

// Version 1 describes one unnamed device; version 2 (F1) adds a table of named devices.
bool needs_version_2(const flash::Geometry& g) { return g.devices.size() != 1 || !g.devices[0].name.empty(); }

size_t run_count(const flash::Geometry& g) {
  size_t n = 0;
  for (const flash::Device& d : g.devices) n += d.sectors.size();
  return n;
}

void put_name(Bytes& out, const std::string& s) {
  assert(s.size() < kNameSize);
  std::string name = s;
  name.resize(kNameSize, '\0');
  out.insert(out.end(), name.begin(), name.end());
}

// A NUL-padded name field; false when bytes follow the first NUL.
bool get_name(ByteView b, std::string& out) {
  size_t len = 0;
  while (len < kNameSize && b[len] != 0) ++len;
  out.assign(b.begin(), b.begin() + long(len));
  for (size_t k = len; k < kNameSize; ++k)
    if (b[k] != 0) return false;
  return true;
}

}  // namespace

size_t flash_map_size(const Layout& l) {
  const size_t devices = needs_version_2(l.geometry) ? l.geometry.devices.size() * kFlashMapDeviceSize : 0;
  return kFlashMapHeaderSize + devices + run_count(l.geometry) * kFlashMapRunSize +
         l.regions.size() * kFlashMapRegionSize + 3 + l.device.size() + l.hardware_id.size() + l.vendor.size() + 4 +
         kCrcSize;
}

Bytes encode_flash_map(const Layout& l) {
  assert(validate_layout(l).has_value());
  const flash::Geometry& g = l.geometry;
  const bool v2 = needs_version_2(g);
  Bytes out;
  out.reserve(flash_map_size(l));
  Writer w(out);
  w.u32(kFlashMapMagic);
  w.u16(v2 ? kFlashMapFormatVersion2 : kFlashMapFormatVersion);
  w.u16(kFlashMapHeaderSize);
  w.u32(flash_map_size(l));
  w.u16(run_count(g));
  w.u8(l.regions.size());
  w.u8(l.boot.prevent_late_fallback ? kFlashMapPreventLateFallback : 0);
  w.u64(g.size());
  const flash::Device& first = g.devices.front();
  w.u32(v2 ? 0 : first.page_size);  // version 2: in the device table
  w.u8(v2 ? 0 : first.write_size);
  w.u8(v2 ? 0 : first.erased);
  w.u8(l.boot.tries);
  w.u8(v2 ? g.devices.size() : 0);  // version 1: reserved
  if (v2)
    for (const flash::Device& d : g.devices) {
      put_name(out, d.name);
      w.u64(d.size());
      w.u32(d.page_size);
      w.u8(d.write_size);
      w.u8(d.erased);
      w.u16(d.sectors.size());
    }
  for (const flash::Device& d : g.devices)
    for (const flash::SectorRun& run : d.sectors) {
      w.u64(run.size);
      w.u64(run.count);
    }
  for (const Region& r : l.regions) {
    put_name(out, r.name);
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
  const uint16_t version = load_le16(h + 4);
  if (version != kFlashMapFormatVersion && version != kFlashMapFormatVersion2)
    return corrupt("format version " + std::to_string(version) + " is not supported; this build reads 1 and 2");
  const bool v2 = version == kFlashMapFormatVersion2;
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

  const size_t runs_total = load_le16(h + 12);
  const size_t region_count = h[14];
  const uint8_t flags = h[15];
  const uint64_t flash_size = load_le64(h + 16);
  if (flags & ~kFlashMapPreventLateFallback) return corrupt("unknown header flags " + hex_number(flags));
  if (!v2 && h[31] != 0) return corrupt("reserved header byte 31 is " + hex_number(h[31]) + ", not 0");
  if (v2 && (load_le32(h + 24) != 0 || h[28] != 0 || h[29] != 0))
    return corrupt("version 2 keeps page_size, write_size and erased in its device table; the header's are not 0");
  if (v2 && (h[31] == 0 || h[31] > kMaxFlashDevices))
    return corrupt("device count " + std::to_string(h[31]) + " is not 1 to " + std::to_string(kMaxFlashDevices));
  if (runs_total == 0 || region_count == 0) return corrupt("no sector runs or no regions");

  Layout l;
  flash::Geometry& g = l.geometry;
  l.boot.tries = h[30];
  l.boot.prevent_late_fallback = flags & kFlashMapPreventLateFallback;

  Cursor c(in.subspan(kFlashMapHeaderSize, total - kFlashMapHeaderSize - kCrcSize));
  ByteView b;
  std::vector<size_t> runs_of;  // sector runs per device
  std::vector<uint64_t> size_of;
  if (!v2) {
    flash::Device d;
    d.page_size = load_le32(h + 24);
    d.write_size = h[28];
    d.erased = h[29];
    g.devices.push_back(std::move(d));
    runs_of.push_back(runs_total);
    size_of.push_back(flash_size);
  } else {
    size_t listed = 0;
    for (size_t k = 0; k < h[31]; ++k) {
      if (!c.take(kFlashMapDeviceSize, b)) return corrupt(std::to_string(h[31]) + " devices do not fit in total_length");
      flash::Device d;
      if (!get_name(b, d.name)) return corrupt("device entry " + std::to_string(k) + ": the name is not NUL-padded");
      size_of.push_back(load_le64(b.data() + 16));
      d.page_size = load_le32(b.data() + 24);
      d.write_size = b[28];
      d.erased = b[29];
      runs_of.push_back(load_le16(b.data() + 30));
      listed += runs_of.back();
      g.devices.push_back(std::move(d));
    }
    if (listed != runs_total)
      return corrupt("the devices list " + std::to_string(listed) + " sector runs but the header says " +
                     std::to_string(runs_total));
  }
  uint64_t whole = 0;
  for (size_t k = 0; k < g.devices.size(); ++k) {
    uint64_t sum = 0;
    for (size_t i = 0; i < runs_of[k]; ++i) {
      if (!c.take(kFlashMapRunSize, b))
        return corrupt(std::to_string(runs_total) + " sector runs do not fit in total_length");
      const flash::SectorRun run{load_le64(b.data()), load_le64(b.data() + 8)};
      if (run.count != 0 && run.size > (std::numeric_limits<uint64_t>::max() - sum) / run.count)
        return corrupt("sector runs add up to more than 2^64 bytes");
      sum += run.size * run.count;
      g.devices[k].sectors.push_back(run);
    }
    if (sum != size_of[k])
      return corrupt("sector runs add up to " + hex_number(sum) + " bytes but " +
                     (v2 ? "device entry " + std::to_string(k) : std::string("the header")) + " says " +
                     hex_number(size_of[k]));
    if (sum > std::numeric_limits<uint64_t>::max() - whole) return corrupt("the devices add up to more than 2^64 bytes");
    whole += sum;
  }
  if (whole != flash_size)
    return corrupt("the devices add up to " + hex_number(whole) + " bytes but the header says " + hex_number(flash_size));
  for (size_t i = 0; i < region_count; ++i) {
    if (!c.take(kFlashMapRegionSize, b))
      return corrupt(std::to_string(region_count) + " regions do not fit in total_length");
    const std::string what = "region entry " + std::to_string(i);
    Region r;
    if (!get_name(b, r.name)) return corrupt(what + ": the name is not NUL-padded");
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
  if (v2 && !needs_version_2(g))
    return corrupt("version 2 with one unnamed device; such a layout is written as version 1");
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
  auto geometry = [](const flash::Device& d, const std::string& indent) {
    std::string y = indent + "size: " + hex_number(d.size()) + "\n";
    if (d.sectors.size() == 1) {
      y += indent + "sector_size: " + hex_number(d.sectors[0].size) + "\n";
    } else {
      y += indent + "sectors:\n";
      for (const flash::SectorRun& run : d.sectors)
        y += indent + "  - {size: " + hex_number(run.size) + ", count: " + std::to_string(run.count) + "}\n";
    }
    y += indent + "write_size: " + std::to_string(d.write_size) + "\n";
    if (d.page_size != 0) y += indent + "page_size: " + std::to_string(d.page_size) + "\n";
    return y + indent + "erased: " + hex_number(d.erased) + "\n";
  };
  const bool several = needs_version_2(g);
  std::string y = "# flash layout (schemas/flash-layout.schema.json)\ndevice:\n";
  y +=
      "  name: " + q(l.device) + "\n  hardware_id: " + q(l.hardware_id) + "\n  vendor: " + q(l.vendor) + "\n";
  if (!several) {
    y += geometry(g.devices[0], "  ");
  } else {
    y += "  flashes:\n";
    for (const flash::Device& d : g.devices) y += "    - name: " + q(d.name) + "\n" + geometry(d, "      ");
  }
  y += "regions:\n";
  for (const Region& r : l.regions) {
    uint64_t offset = r.offset;
    std::string flash;
    if (several) {
      const size_t k = g.device_index(r.offset);
      offset -= g.device_base(k);
      flash = ", flash: " + q(g.devices[k].name);
    }
    y += "  - {name: " + q(r.name) + flash + ", offset: " + hex_number(offset) + ", size: " + hex_number(r.size);
    y += (r.exec_addr ? ", exec_addr: " + hex_number(*r.exec_addr) : std::string()) + "}\n";
  }
  y += "boot: {tries: " + std::to_string(l.boot.tries) +
       ", prevent_late_fallback: " + (l.boot.prevent_late_fallback ? "true" : "false") + "}\n";
  y += "root_of_trust: {counter_slots: " + std::to_string(l.counter_slots) + "}\n";
  return y;
}

}  // namespace ota::image
