#include "flash/trace.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace ota::flash {
namespace {

const char* op_name(TraceOp op) {
  switch (op) {
    case TraceOp::read: return "read";
    case TraceOp::program: return "program";
    case TraceOp::erase: return "erase";
  }
  return "?";
}

bool parse_u64(std::string_view s, uint64_t& out, int base = 10) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

std::string to_string(const TraceEntry& e) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu %s 0x%llx+%llu erases=%llu %s", static_cast<unsigned long long>(e.seq),
                op_name(e.op), static_cast<unsigned long long>(e.offset), static_cast<unsigned long long>(e.length),
                static_cast<unsigned long long>(e.sector_erase_count), e.ok ? "ok" : "failed");
  return buf;
}

Result<void> TracingFlash::record(TraceOp op, uint64_t offset, uint64_t length, Result<void> result) {
  TraceEntry e;
  e.seq = entries_.size() + 1;
  e.op = op;
  e.offset = offset;
  e.length = length;
  if (auto sector = mem_.geometry().sector_at(offset)) e.sector_erase_count = mem_.erase_count(sector->index);
  e.ok = bool(result);
  entries_.push_back(e);
  return result;
}

Result<void> TracingFlash::read(uint64_t offset, std::span<uint8_t> out) {
  return record(TraceOp::read, offset, out.size(), inner_.read(offset, out));
}
Result<void> TracingFlash::program(uint64_t offset, ByteView data) {
  return record(TraceOp::program, offset, data.size(), inner_.program(offset, data));
}
Result<void> TracingFlash::erase(uint64_t offset, uint64_t length) {
  return record(TraceOp::erase, offset, length, inner_.erase(offset, length));
}

std::string TracingFlash::tail(size_t n) const {
  std::string out;
  for (size_t i = entries_.size() > n ? entries_.size() - n : 0; i < entries_.size(); ++i)
    out += to_string(entries_[i]) + "\n";
  return out;
}

Result<CutMode> parse_cut_mode(std::string_view name) {
  for (CutMode m : kAllCutModes)
    if (to_string(m) == name) return m;
  return Error{Errc::invalid_argument, "unknown cut mode '" + std::string(name) +
                                           "' (before, after, torn-program, torn-erase, unstable)"};
}

std::string to_string(const RunId& id) {
  char erased[3];
  std::snprintf(erased, sizeof erased, "%02x", id.erased);
  std::string s = "scenario=" + id.scenario + ";layout=" + id.layout + ";ws=" + std::to_string(id.write_size) +
                  ";erased=" + erased + ";seed=" + std::to_string(id.seed) + ";cuts=";
  for (size_t i = 0; i < id.cuts.size(); ++i)
    s += (i ? "," : "") + std::to_string(id.cuts[i].at) + ":" + std::string(to_string(id.cuts[i].mode));
  return s;
}

Result<RunId> parse_run_id(std::string_view text) {
  RunId id;
  bool seen[6] = {};
  static constexpr std::string_view kKeys[6] = {"scenario", "layout", "ws", "erased", "seed", "cuts"};
  auto bad = [](std::string_view what) {
    return Error{Errc::invalid_argument, "run id: " + std::string(what)};
  };
  while (!text.empty()) {
    const size_t semi = text.find(';');
    const std::string_view field = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) return bad("'" + std::string(field) + "' is not KEY=VALUE");
    const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    size_t k = 0;
    while (k < 6 && kKeys[k] != key) ++k;
    if (k == 6) return bad("unknown field '" + std::string(key) + "'");
    if (seen[k]) return bad("field '" + std::string(key) + "' is given twice");
    seen[k] = true;
    uint64_t n = 0;
    switch (k) {
      case 0:
      case 1:
        if (!valid_name(value)) return bad(std::string(key) + " '" + std::string(value) + "' is not a name");
        (k == 0 ? id.scenario : id.layout) = std::string(value);
        break;
      case 2:
        if (!parse_u64(value, n) || n == 0 || n > 32 || (n & (n - 1)))
          return bad("ws '" + std::string(value) + "' is not a write size (1, 2, 4, 8, 16 or 32)");
        id.write_size = uint32_t(n);
        break;
      case 3:
        if (value != "ff" && value != "00") return bad("erased '" + std::string(value) + "' is not ff or 00");
        id.erased = value == "ff" ? 0xFF : 0x00;
        break;
      case 4:
        if (!parse_u64(value, n)) return bad("seed '" + std::string(value) + "' is not a number");
        id.seed = n;
        break;
      case 5:
        for (std::string_view rest = value; !rest.empty();) {
          const size_t comma = rest.find(',');
          const std::string_view item = rest.substr(0, comma);
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          const size_t colon = item.find(':');
          Cut cut;
          if (colon == std::string_view::npos || !parse_u64(item.substr(0, colon), cut.at) || cut.at == 0)
            return bad("cut '" + std::string(item) + "' is not OPERATION:MODE with OPERATION >= 1");
          auto mode = parse_cut_mode(item.substr(colon + 1));
          if (!mode) return bad(mode.error().message);
          cut.mode = *mode;
          id.cuts.push_back(cut);
        }
        break;
    }
  }
  for (size_t k = 0; k < 6; ++k)
    if (!seen[k] && k != 5) return bad("field '" + std::string(kKeys[k]) + "' is missing");
  return id;
}

}  // namespace ota::flash
