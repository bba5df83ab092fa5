#include "flash/schedule.h"

#include <charconv>
#include <string>

namespace ota::flash {
namespace {

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s = s.substr(at + 1);
  }
}

}  // namespace

std::vector<uint64_t> single_cut(uint64_t at) { return {at}; }

std::vector<uint64_t> linear_cuts(uint64_t n) {
  std::vector<uint64_t> cuts;
  for (uint64_t i = 1; i <= n; ++i) cuts.push_back(i);
  return cuts;
}

std::vector<uint64_t> log_cuts(uint64_t n) {
  std::vector<uint64_t> cuts;
  for (uint64_t i = 1; i <= n && i != 0; i <<= 1) cuts.push_back(i);
  return cuts;
}

std::vector<uint64_t> random_cuts(uint64_t k, uint64_t max, uint64_t seed) {
  std::vector<uint64_t> cuts;
  if (max == 0) return cuts;
  uint64_t x = seed;
  for (uint64_t i = 0; i < k; ++i) {
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    cuts.push_back(1 + (z ^ (z >> 31)) % max);
  }
  return cuts;
}

Result<std::vector<uint64_t>> parse_schedule(std::string_view text) {
  const std::string shown(text);
  auto bad = [&] {
    return Error{Errc::invalid_argument,
                 "schedule '" + shown +
                     "' is not single:N, linear:N, log:N, random:K:MAX:SEED or a list N,N,... (N >= 1)"};
  };
  const auto parts = split(text, ':');
  const std::string_view kind = parts[0];
  std::vector<uint64_t> n(parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i)
    if (!parse_u64(parts[i], n[i - 1])) return bad();
  if (kind == "single" && n.size() == 1 && n[0] >= 1) return single_cut(n[0]);
  if (kind == "linear" && n.size() == 1 && n[0] >= 1 && n[0] <= 1000000) return linear_cuts(n[0]);
  if (kind == "log" && n.size() == 1 && n[0] >= 1) return log_cuts(n[0]);
  if (kind == "random" && n.size() == 3 && n[0] >= 1 && n[0] <= 1000000 && n[1] >= 1)
    return random_cuts(n[0], n[1], n[2]);
  if (parts.size() != 1) return bad();
  std::vector<uint64_t> cuts;
  for (std::string_view item : split(text, ',')) {
    uint64_t v = 0;
    if (!parse_u64(item, v) || v == 0) return bad();
    cuts.push_back(v);
  }
  return cuts;
}

}  // namespace ota::flash
