#include "release/cohort.h"

#include <algorithm>

#include "core/hex.h"
#include "crypto/sha256.h"

namespace ota::release {

std::string cohort_key(uint64_t seed, std::string_view vin) {
  const std::string text = std::to_string(seed) + ":" + std::string(vin);
  const auto h = crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  return to_hex(ByteView(h.data(), h.size()));
}

std::vector<std::string> cohort_order(uint64_t seed, std::vector<std::string> vins) {
  std::sort(vins.begin(), vins.end());
  vins.erase(std::unique(vins.begin(), vins.end()), vins.end());
  std::vector<std::pair<std::string, std::string>> keyed;
  keyed.reserve(vins.size());
  for (auto& v : vins) keyed.emplace_back(cohort_key(seed, v), std::move(v));
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  out.reserve(keyed.size());
  for (auto& [key, vin] : keyed) out.push_back(std::move(vin));
  return out;
}

Result<uint32_t> parse_percent(std::string_view text) {
  const auto bad = [&] {
    return Error{Errc::invalid_argument, "percent '" + std::string(text) + "': a number above 0 and at most 100, "
                                         "with at most three decimals"};
  };
  uint64_t whole = 0, frac = 0;
  size_t i = 0, digits = 0, decimals = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    whole = whole * 10 + uint64_t(text[i] - '0');
    if (whole > 100) return bad();
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++decimals) {
      if (decimals == 3) return bad();
      frac = frac * 10 + uint64_t(text[i] - '0');
    }
    if (decimals == 0) return bad();
  }
  if (digits == 0 || i != text.size()) return bad();
  for (size_t d = decimals; d < 3; ++d) frac *= 10;
  const uint64_t milli = whole * 1000 + frac;
  if (milli == 0 || milli > 100000) return bad();
  return uint32_t(milli);
}

uint64_t stage_size(uint64_t n, uint32_t milli_percent) {
  const unsigned __int128 scaled = (unsigned __int128)n * milli_percent;
  const uint64_t size = uint64_t((scaled + 99999) / 100000);
  return std::min(size, n);
}

}  // namespace ota::release
