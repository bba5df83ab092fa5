// Layout YAML -> Layout and its validation (BOOT-SPEC L1-L6). yaml-cpp throws; every call
// into it sits under parse_layout's try block. The written forms of a Layout, the YAML of
// layout_to_yaml and the binary descriptor, are in flash_map.cc.
#include "image/layout.h"
#include "core/hex.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>

#include "image/flash_map.h"

namespace ota::image {
namespace {

constexpr std::array<std::string_view, 9> kRegionNames = {
    "bootloader", "rot", "bcr0", "bcr1", "bcr2", "slot_a", "slot_b", "scratch", "recovery"};
constexpr std::array<std::string_view, 6> kRequired = {"bootloader", "rot",    "bcr0",
                                                       "bcr1",       "slot_a", "slot_b"};
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// Text for a one-line message: control and non-ASCII bytes escaped, long text cut.
std::string printable(std::string_view s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 80)) {
    char buf[8];
    std::snprintf(buf, sizeof buf, c < 0x20 || c > 0x7e ? "\\x%02x" : "%c", c);
    out += buf;
  }
  return s.size() > 80 ? out + "..." : out;
}

std::string quoted(std::string_view s) { return "'" + printable(s) + "'"; }

Error invalid(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

// --- reading ---------------------------------------------------------------------------

// Collects the first error while the reader walks the document, so each field is one line.
class Reader {
 public:
  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }

  void fail(const YAML::Node& at, const std::string& message) {
    if (error_) return;
    const int line = at.IsDefined() ? at.Mark().line : -1;  // Mark() throws on a missing node
    error_ = invalid(line >= 0 ? "line " + std::to_string(line + 1) + ": " + message : message);
  }

  // A mapping whose keys are all in `allowed`, each at most once, with every `required`.
  bool fields(const YAML::Node& map, const std::string& where,
              std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required) {
    if (!map.IsMap()) return fail(map, where + ": expected a mapping"), false;
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) return fail(kv.first, where + ": keys must be plain strings"), false;
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return fail(kv.first, "unknown field " + quoted(key) + " in " + where + "; expected " + list), false;
      }
      if (!seen.insert(key).second)
        return fail(kv.first, "field " + quoted(key) + " appears twice in " + where), false;
    }
    for (std::string_view r : required)
      if (!seen.count(std::string(r)))
        return fail(map, where + ": missing field '" + std::string(r) + "'"), false;
    return !failed();
  }

  std::string text(const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar()) return fail(node, field + ": expected a string"), "";
    return node.Scalar();
  }

  bool flag(const YAML::Node& node, const std::string& field) {
    const std::string s = node.IsScalar() && node.Tag() == "?" ? node.Scalar() : "";
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (!(s == "false" || s == "False" || s == "FALSE")) fail(node, field + ": expected true or false");
    return false;
  }

  // A plain integer (decimal, 0x hex) or, where `sizes`, a size such as 64KiB or 4K.
  uint64_t number(const YAML::Node& node, const std::string& field, uint64_t max, bool sizes) {
    if (!node.IsScalar()) return fail(node, field + ": expected a number"), 0;
    bool suffixed = false;
    auto value = parse_number(node.Scalar(), suffixed);
    const std::string what = field + ": " + quoted(node.Scalar());
    if (!value) return fail(node, what + " " + value.error().message), 0;
    if (suffixed && !sizes) return fail(node, what + " must be a plain integer, without a size suffix"), 0;
    if (!suffixed && node.Tag() == "!")  // quoted: YAML (and the schema) see a string
      return fail(node, what + " is quoted; write numbers without quotes"), 0;
    if (*value > max) return fail(node, what + " is too large (at most " + hex_number(max) + ")"), 0;
    return *value;
  }

 private:
  static Result<uint64_t> parse_number(std::string_view s, bool& suffixed) {
    auto why = [](const char* text) { return Error{Errc::invalid_argument, text}; };
    if (s.empty() || s[0] == '-') return why(s.empty() ? "is empty" : "is negative");
    if (s.find('.') != s.npos) return why("is not a whole number");
    const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char* begin = s.data() + (hex ? 2 : 0);
    const char* last = s.data() + s.size();
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(begin, last, v, hex ? 16 : 10);  // no sign, no spaces
    if (ec == std::errc::result_out_of_range) return why("does not fit in 64 bits");
    if (hex && (ec != std::errc() || end != last)) return why("is not a hex number");
    if (hex) return v;
    if (ec != std::errc())
      return why("is not a number; use an integer (decimal or 0x hex) or a size such as 64KiB");
    if (end - begin > 1 && *begin == '0')
      return why("has a leading zero (octal in YAML 1.1); write decimal or 0x hex");
    const std::string_view suffix(end, size_t(last - end));
    const int shift = suffix == "K" || suffix == "KiB"   ? 10
                      : suffix == "M" || suffix == "MiB" ? 20
                      : suffix == "G" || suffix == "GiB" ? 30
                                                         : 0;
    if (shift == 0 && !suffix.empty()) return why("has an unknown suffix; use K, M, G, KiB, MiB or GiB");
    suffixed = shift != 0;
    if (v > (kU64Max >> shift)) return why("does not fit in 64 bits");
    return v << shift;
  }

  std::optional<Error> error_;
};

// The geometry fields of one flash device, at `where` ("device" for a one-device layout,
// "device.flashes[i]" otherwise). `d` has passed r.fields.
void read_geometry(Reader& r, const YAML::Node& d, const std::string& where, flash::Device& g) {
  if (!d["size"] || !d["write_size"])
    return r.fail(d, where + ": missing field '" + std::string(d["size"] ? "write_size" : "size") + "'");
  const uint64_t size = r.number(d["size"], where + ".size", kU64Max, true);
  g.write_size = uint32_t(r.number(d["write_size"], where + ".write_size", UINT32_MAX, false));
  if (d["page_size"]) g.page_size = uint32_t(r.number(d["page_size"], where + ".page_size", UINT32_MAX, true));
  if (d["erased"]) g.erased = uint8_t(r.number(d["erased"], where + ".erased", 0xff, false));
  if (r.failed()) return;
  if (size == 0) return r.fail(d["size"], where + ".size is 0");
  if (bool(d["sector_size"]) == bool(d["sectors"]))
    return r.fail(d, where + ": give exactly one of sector_size (uniform sectors) or sectors (runs)");
  if (const YAML::Node ss = d["sector_size"]) {
    const uint64_t sector = r.number(ss, where + ".sector_size", kU64Max, true);
    if (r.failed()) return;
    if (sector == 0 || size % sector != 0)
      return r.fail(ss, where + ".size " + hex_number(size) + " is not a multiple of " + where + ".sector_size " +
                            hex_number(sector));
    g.sectors = {{sector, size / sector}};
    return;
  }
  const YAML::Node runs = d["sectors"];
  if (!runs.IsSequence() || runs.size() == 0)
    return r.fail(runs, where + ".sectors: expected a list of {size, count} runs");
  uint64_t sum = 0;
  for (size_t i = 0; i < runs.size() && !r.failed(); ++i) {
    const std::string at = where + ".sectors[" + std::to_string(i) + "]";
    if (!r.fields(runs[i], at, {"size", "count"}, {"size", "count"})) return;
    flash::SectorRun run{r.number(runs[i]["size"], at + ".size", kU64Max, true),
                         r.number(runs[i]["count"], at + ".count", kU64Max, false)};
    if (r.failed()) return;
    if (run.count != 0 && run.size > (kU64Max - sum) / run.count)
      return r.fail(runs[i], where + ".sectors add up to more than 2^64 bytes");
    sum += run.size * run.count;
    g.sectors.push_back(run);
  }
  if (!r.failed() && sum != size)
    r.fail(runs, where + ".sectors add up to " + hex_number(sum) + " bytes but " + where + ".size is " +
                     hex_number(size));
}

// F1: either the geometry fields of one flash device, or `flashes`, a list of named
// devices (internal flash first, then e.g. an external SPI-NOR).
void read_device(Reader& r, const YAML::Node& d, Layout& out) {
  if (!r.fields(d, "device",
                {"name", "hardware_id", "vendor", "size", "sector_size", "sectors", "write_size", "page_size",
                 "erased", "flashes"},
                {"name", "hardware_id"}))
    return;
  out.device = r.text(d["name"], "device.name");
  out.hardware_id = r.text(d["hardware_id"], "device.hardware_id");
  out.vendor = d["vendor"] ? r.text(d["vendor"], "device.vendor") : "ota-toolchain";
  if (r.failed()) return;
  const YAML::Node list = d["flashes"];
  if (!list) {
    flash::Device g;
    read_geometry(r, d, "device", g);
    out.geometry = flash::Geometry(std::move(g));
    return;
  }
  for (std::string_view field : {"size", "sector_size", "sectors", "write_size", "page_size", "erased"})
    if (d[std::string(field)])
      return r.fail(d[std::string(field)], "device." + std::string(field) +
                                               ": with device.flashes, each flash gives its own geometry");
  if (!list.IsSequence() || list.size() == 0)
    return r.fail(list, "device.flashes: expected a list of flash devices {name, size, sector_size or sectors, "
                        "write_size[, page_size][, erased]}");
  for (size_t i = 0; i < list.size() && !r.failed(); ++i) {
    const std::string where = "device.flashes[" + std::to_string(i) + "]";
    if (!r.fields(list[i], where, {"name", "size", "sector_size", "sectors", "write_size", "page_size", "erased"},
                  {"name", "size", "write_size"}))
      return;
    flash::Device g;
    g.name = r.text(list[i]["name"], where + ".name");
    read_geometry(r, list[i], where, g);
    out.geometry.devices.push_back(std::move(g));
  }
}

// Regions name their flash device (`flash`, default the first) and give offsets inside
// it; a Region holds the offset in the flash's single address space.
void read_regions(Reader& r, const YAML::Node& list, Layout& out) {
  if (!list.IsSequence()) return r.fail(list, "regions: expected a list of {name, offset, size}");
  const flash::Geometry& g = out.geometry;
  for (size_t i = 0; i < list.size() && !r.failed(); ++i) {
    const YAML::Node e = list[i];
    const YAML::Node name = e.IsMap() ? e["name"] : YAML::Node();
    const std::string where =
        name && name.IsScalar() ? "region " + quoted(name.Scalar()) : "regions[" + std::to_string(i) + "]";
    if (!r.fields(e, where, {"name", "flash", "offset", "size", "exec_addr"}, {"name", "offset", "size"})) return;
    Region region;
    region.name = r.text(name, where + " name");
    region.offset = r.number(e["offset"], where + " offset", kU64Max, true);
    region.size = r.number(e["size"], where + " size", kU64Max, true);
    if (e["exec_addr"]) region.exec_addr = r.number(e["exec_addr"], where + " exec_addr", kU64Max, true);
    size_t device = 0;
    if (e["flash"]) {
      const std::string flash_name = r.text(e["flash"], where + " flash");
      if (r.failed()) return;
      std::string names;
      for (device = 0; device < g.devices.size() && g.devices[device].name != flash_name; ++device)
        names += (names.empty() ? "" : ", ") + quoted(g.devices[device].name);
      if (device == g.devices.size())
        return r.fail(e["flash"], where + " flash " + quoted(flash_name) + " is not in device.flashes" +
                                      (names.empty() ? "" : " (" + names + ")"));
    }
    if (r.failed()) return;
    if (device < g.devices.size() && g.devices.size() > 1) {
      const flash::Device& d = g.devices[device];
      if (region.offset > kU64Max - region.size || region.offset + region.size > d.size())
        return r.fail(e, where + " (offset " + hex_number(region.offset) + ", size " + hex_number(region.size) +
                             ") passes the end of flash " + quoted(d.name) + " (" + hex_number(d.size()) + ")");
      region.offset += g.device_base(device);
    }
    out.regions.push_back(std::move(region));
  }
}

Result<uint64_t> check_geometry(const flash::Geometry& g);

void read_document(Reader& r, const YAML::Node& doc, Layout& out) {
  if (!r.fields(doc, "the layout", {"device", "regions", "boot", "root_of_trust"}, {"device", "regions"}))
    return;
  read_device(r, doc["device"], out);
  // The devices first: regions are placed on them.
  if (auto total = check_geometry(out.geometry); !r.failed() && !total) return r.fail(doc["device"], total.error().message);
  read_regions(r, doc["regions"], out);
  if (const YAML::Node boot = doc["boot"];
      boot && r.fields(boot, "boot", {"tries", "prevent_late_fallback"}, {})) {
    if (boot["tries"]) out.boot.tries = uint8_t(r.number(boot["tries"], "boot.tries", 0xff, false));
    if (boot["prevent_late_fallback"])
      out.boot.prevent_late_fallback = r.flag(boot["prevent_late_fallback"], "boot.prevent_late_fallback");
  }
  if (const YAML::Node rot = doc["root_of_trust"];
      rot && r.fields(rot, "root_of_trust", {"counter_slots"}, {}))
    if (rot["counter_slots"])
      out.counter_slots =
          uint32_t(r.number(rot["counter_slots"], "root_of_trust.counter_slots", UINT32_MAX, false));
}

// --- validation ------------------------------------------------------------------------

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// One device's rules (F1, F2); returns its size. Sums are overflow-checked because
// decoded descriptors reach here with arbitrary counts. `field` prefixes field names:
// "device." or "flash 'spi' ".
Result<uint64_t> check_device(const flash::Device& g, const std::string& field) {
  if (!is_power_of_two(g.write_size) || g.write_size > 32)
    return invalid(field + "write_size is " + std::to_string(g.write_size) + "; use 1, 2, 4, 8, 16 or 32");
  if (g.page_size != 0 && !is_power_of_two(g.page_size))
    return invalid(field + "page_size " + hex_number(g.page_size) + " is not a power of two");
  if (g.page_size != 0 && g.page_size < g.write_size)
    return invalid(field + "page_size " + hex_number(g.page_size) + " is smaller than " + field + "write_size " +
                   hex_number(g.write_size));
  if (g.erased != 0xff && g.erased != 0x00)
    return invalid(field + "erased is " + hex_number(g.erased) + "; use 0xff or 0x00");
  const std::string where = field == "device." ? "device" : field.substr(0, field.size() - 1);
  if (g.sectors.empty()) return invalid(where + " has no sectors");
  uint64_t total = 0;
  for (size_t i = 0; i < g.sectors.size(); ++i) {
    const flash::SectorRun& run = g.sectors[i];
    const std::string what = where + " sector run " + std::to_string(i) + " (size " + hex_number(run.size) +
                             ", count " + std::to_string(run.count) + ")";
    if (run.count == 0) return invalid(what + " is empty");
    if (!is_power_of_two(run.size)) return invalid(what + ": the sector size is not a power of two");
    if (run.size < g.write_size || run.size < g.page_size)
      return invalid(what + ": sectors are smaller than the write size " + hex_number(g.write_size) +
                     " or page size " + hex_number(g.page_size));
    if (run.size > (kU64Max - total) / run.count) return invalid(where + " sectors add up to more than 2^64 bytes");
    total += run.size * run.count;
  }
  return total;
}

bool valid_name(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// F1 over all devices; returns the flash size.
Result<uint64_t> check_geometry(const flash::Geometry& g) {
  if (g.devices.empty()) return invalid("device has no flash");
  if (g.devices.size() > kMaxFlashDevices)
    return invalid("device.flashes lists " + std::to_string(g.devices.size()) + " flash devices; at most " +
                   std::to_string(kMaxFlashDevices));
  const bool several = g.devices.size() > 1 || !g.devices[0].name.empty();
  uint64_t total = 0;
  size_t runs = 0;
  std::set<std::string_view> names;
  for (const flash::Device& d : g.devices) {
    const std::string where = several ? "flash " + quoted(d.name) : "device";
    const std::string field = several ? where + " " : "device.";
    if (several && !valid_name(d.name, 15))
      return invalid("flash name " + quoted(d.name) + " must be 1-15 letters, digits, '.', '_' or '-'");
    if (several && !names.insert(d.name).second)
      return invalid("flash " + quoted(d.name) + " appears twice in device.flashes");
    auto size = check_device(d, field);
    if (!size) return std::move(size).error();
    runs += d.sectors.size();
    // Each device starts on a multiple of its largest sector, so every alignment (sector,
    // page, granule) reads the same in the device and in the flash's address space.
    uint64_t largest = 0;
    for (const flash::SectorRun& run : d.sectors) largest = std::max(largest, run.size);
    if (total % largest != 0)
      return invalid(where + " would start at " + hex_number(total) + ", not a multiple of its largest sector " +
                     hex_number(largest) + "; list the devices before it so they end on such a boundary");
    if (*size > kU64Max - total) return invalid("the flash devices add up to more than 2^64 bytes");
    total += *size;
  }
  if (runs > 0xffff) return invalid("the flash has " + std::to_string(runs) + " sector runs; at most 65535");
  return total;
}

// True when `offset` (<= flash end) is a sector boundary; else [lo, hi) is its sector.
bool on_boundary(const flash::Geometry& g, uint64_t offset, uint64_t& lo, uint64_t& hi) {
  auto sector = g.sector_at(offset);
  if (!sector) return true;  // the flash end
  lo = sector->offset;
  hi = lo + sector->size;
  return lo == offset;
}

// "region 'slot_b' (offset 0x0, size 0x40000)", with "flash 'spi', " and the offset inside
// that flash when the layout has several.
std::string describe(const Layout& l, const Region& r) {
  const flash::Geometry& g = l.geometry;
  uint64_t offset = r.offset;
  std::string flash;
  if (g.devices.size() > 1 && r.offset < g.size()) {
    const size_t k = g.device_index(r.offset);
    offset -= g.device_base(k);
    flash = "flash '" + g.devices[k].name + "', ";
  }
  return "region '" + r.name + "' (" + flash + "offset " + hex_number(offset) + ", size " + hex_number(r.size) + ")";
}

Result<void> check_strings(const Layout& l) {
  auto bad = [](const std::string& s, auto ok_char) {
    return s.empty() || s.size() > 64 || !std::all_of(s.begin(), s.end(), ok_char);
  };
  if (!valid_name(l.device, 64))
    return invalid("device.name " + quoted(l.device) + " must be 1-64 letters, digits, '.', '_' or '-'");
  if (bad(l.hardware_id, [](char c) { return c > ' ' && c <= '~'; }))
    return invalid("device.hardware_id " + quoted(l.hardware_id) +
                   " must be 1-64 printable ASCII characters without spaces");
  if (bad(l.vendor, [](char c) { return c >= ' ' && c <= '~'; }))
    return invalid("device.vendor " + quoted(l.vendor) + " must be 1-64 printable ASCII characters");
  if (l.boot.tries < 1 || l.boot.tries > 7)
    return invalid("boot.tries is " + std::to_string(l.boot.tries) + "; use 1 to 7 (the BCR keeps 3 bits)");
  if (l.counter_slots < 1 || l.counter_slots > 1024)
    return invalid("root_of_trust.counter_slots is " + std::to_string(l.counter_slots) + "; use 1 to 1024");
  return {};
}

Result<void> check_names(const Layout& l) {
  std::set<std::string_view> seen;
  for (const Region& r : l.regions) {
    if (std::find(kRegionNames.begin(), kRegionNames.end(), r.name) == kRegionNames.end())
      return invalid("region " + quoted(r.name) +
                     " is not a known region; use bootloader, rot, bcr0, bcr1, "
                     "bcr2, slot_a, slot_b, scratch or recovery");
    if (!seen.insert(r.name).second)
      return invalid("region '" + r.name + "' appears twice; each region is declared once");
  }
  for (std::string_view name : kRequired)
    if (!seen.count(name))
      return invalid("the layout has no region '" + std::string(name) +
                     "'; it needs bootloader, rot, bcr0, bcr1, slot_a and slot_b");
  return {};
}

Result<void> check_slots(const Layout& l) {
  const Region& a = l.slot(0);
  const Region& b = l.slot(1);
  if (a.size != b.size)
    return invalid("slot_a (size " + hex_number(a.size) + ") and slot_b (size " + hex_number(b.size) +
                   ") must have the same size (BOOT-SPEC L4)");
  for (const Region& r : l.regions)
    if (r.exec_addr && &r != &a && &r != &b)
      return invalid("region '" + r.name + "' has exec_addr " + hex_number(*r.exec_addr) +
                     "; only slot_a and slot_b take one");
  if (a.exec_addr.has_value() != b.exec_addr.has_value()) {
    const Region& with = a.exec_addr ? a : b;
    const Region& without = a.exec_addr ? b : a;
    return invalid(with.name + " has exec_addr " + hex_number(*with.exec_addr) + " but " + without.name +
                   " has none; give both slots one or neither (BOOT-SPEC L4)");
  }
  if (!a.exec_addr) return {};
  if (*a.exec_addr == *b.exec_addr)
    return invalid("slot_a and slot_b both have exec_addr " + hex_number(*a.exec_addr) +
                   "; an image built for one slot's address must not run from the other (BOOT-SPEC L4)");
  for (const Region* s : {&a, &b})
    if (*s->exec_addr > kU64Max - s->size)
      return invalid(s->name + " exec_addr " + hex_number(*s->exec_addr) + " plus size " + hex_number(s->size) +
                     " passes 2^64");
  return {};
}

// yaml-cpp 0.7's LoadAll never returns on a stray ',' (the parser does not consume the
// token), so a second document is detected with a bounded number of parser steps.
bool single_document(const std::string& text) {
  struct Ignore : YAML::EventHandler {
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } ignore;
  std::istringstream in(text);
  YAML::Parser parser(in);
  return parser.HandleNextDocument(ignore) && !parser.HandleNextDocument(ignore);
}

}  // namespace

const Region* Layout::find(std::string_view name) const {
  for (const Region& r : regions)
    if (r.name == name) return &r;
  return nullptr;
}

const Region& Layout::slot(int index) const {
  assert(index == 0 || index == 1);
  const Region* r = find(index == 0 ? "slot_a" : "slot_b");
  assert(r != nullptr);
  return *r;
}

std::vector<const Region*> Layout::bcr_copies() const {
  std::vector<const Region*> out;
  for (std::string_view name : {"bcr0", "bcr1", "bcr2"})
    if (const Region* r = find(name)) out.push_back(r);
  return out;
}

bool Layout::operator==(const Layout& o) const {
  return device == o.device && hardware_id == o.hardware_id && vendor == o.vendor && geometry == o.geometry &&
         regions == o.regions && boot == o.boot && counter_slots == o.counter_slots;
}

Result<Layout> parse_layout(std::string_view yaml_text) {
  Layout layout;
  try {
    const std::string text(yaml_text);
    const YAML::Node doc = YAML::Load(text);
    if (!doc.IsMap()) return invalid("the layout must be a YAML mapping with device and regions");
    if (!single_document(text))
      return invalid("the layout holds more than one YAML document; expected one mapping");
    Reader reader;
    read_document(reader, doc, layout);
    if (reader.failed()) return reader.error();
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? ""
                                         : "line " + std::to_string(e.mark.line + 1) + ", column " +
                                               std::to_string(e.mark.column + 1) + ": ";
    return invalid("not valid YAML: " + where + printable(e.msg));  // e.msg may quote a raw newline
  } catch (const std::exception& e) {  // bad_alloc and friends from inside yaml-cpp
    return invalid(std::string("reading the layout: ") + e.what());
  }
  std::stable_sort(layout.regions.begin(), layout.regions.end(),
                   [](const Region& a, const Region& b) { return a.offset < b.offset; });
  OTA_TRY(validate_layout(layout));
  return layout;
}

Result<void> validate_layout(const Layout& l) {
  auto total = check_geometry(l.geometry);
  if (!total) return std::move(total).error();
  OTA_TRY(check_strings(l));
  OTA_TRY(check_names(l));
  for (const Region& r : l.regions) {
    if (r.size == 0) return invalid(describe(l, r) + " is empty");
    if (r.offset > kU64Max - r.size || r.offset + r.size > *total)
      return invalid(describe(l, r) + " ends at " +
                     (r.offset > kU64Max - r.size ? "2^64 or more" : hex_number(r.offset + r.size)) +
                     ", past the end of the flash (" + hex_number(*total) + ")");
    if (const size_t k = l.geometry.device_index(r.offset);
        r.offset + r.size > l.geometry.device_base(k) + l.geometry.devices[k].size())
      return invalid(describe(l, r) + " runs from flash '" + l.geometry.devices[k].name + "' into the next; a region lies on one flash device");
    uint64_t lo = 0, hi = 0;
    // Offsets in messages are inside the region's flash, as the YAML gives them.
    const uint64_t base = l.geometry.devices.size() > 1 ? l.geometry.device_base(l.geometry.device_index(r.offset)) : 0;
    if (!on_boundary(l.geometry, r.offset, lo, hi))
      return invalid(describe(l, r) + " starts at " + hex_number(r.offset - base) +
                     ", not on a sector boundary; the nearest are " + hex_number(lo - base) + " and " +
                     hex_number(hi - base));
    if (!on_boundary(l.geometry, r.offset + r.size, lo, hi))
      return invalid(describe(l, r) + " ends at " + hex_number(r.offset + r.size - base) +
                     ", not on a sector boundary; the nearest are " + hex_number(lo - base) + " and " +
                     hex_number(hi - base));
  }
  for (size_t i = 1; i < l.regions.size(); ++i) {
    const Region& prev = l.regions[i - 1];
    const Region& r = l.regions[i];
    if (r.offset < prev.offset)
      return invalid("regions are not in address order: " + describe(l, r) + " follows " + describe(l, prev));
    if (r.offset < prev.offset + prev.size) {
      const bool bcr = prev.name.rfind("bcr", 0) == 0 || r.name.rfind("bcr", 0) == 0;
      return invalid(
          describe(l, prev) + " overlaps " + describe(l, r) +
          (bcr ? "; each boot-control record copy needs erase sectors of its own (BOOT-SPEC L3)" : ""));
    }
  }
  const Region& boot = *l.find("bootloader");
  if (boot.offset != 0)
    return invalid("region 'bootloader' starts at " + hex_number(boot.offset) +
                   "; it must start at 0x0, where the device boots and reads the flash map (BOOT-SPEC L6)");
  OTA_TRY(check_slots(l));
  if (const size_t need = flash_map_size(l); need > boot.size)
    return invalid("the flash-map descriptor (" + hex_number(need) +
                   " bytes) does not fit in region 'bootloader' (size " + hex_number(boot.size) + ")");
  return {};
}

}  // namespace ota::image
