#include "delta/algorithm.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "delta/bsdiff_header.h"
#include "delta/ota_patch.h"
#include "delta/vcdiff.h"
#include "delta/zstd_delta.h"

namespace ota::delta {

std::string_view to_string(Algorithm algo) {
  switch (algo) {
    case Algorithm::kBsdiff: return "bsdiff";
    case Algorithm::kZstd: return "zstd";
    case Algorithm::kVcdiff: return "vcdiff";
    case Algorithm::kOta: return "ota";
  }
  return "unknown";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  for (Algorithm a : kAllAlgorithms)
    if (to_string(a) == name) return a;
  return std::nullopt;
}

Result<Algorithm> detect_format(ByteView patch) {
  if (patch.size() >= 8 && std::memcmp(patch.data(), kBsdiffMagic, 8) == 0)
    return Algorithm::kBsdiff;
  if (patch.size() >= 8 && std::memcmp(patch.data(), kOtaMagic, 8) == 0) return Algorithm::kOta;
  if (patch.size() >= 4 && is_zstd_magic(load_le32(patch.data()))) return Algorithm::kZstd;
  if (patch.size() >= 4 && patch[0] == 0xD6 && patch[1] == 0xC3 && patch[2] == 0xC4) {
    if (patch[3] != 0)
      return Error{Errc::unsupported, "VCDIFF version " + std::to_string(patch[3]) + " is not supported; only version 0 (RFC 3284) is"};
    return Algorithm::kVcdiff;
  }
  if (patch.size() >= 8 && std::memcmp(patch.data(), "BSDIFF", 6) == 0)
    return Error{Errc::unsupported, "this is a '" + std::string(patch.begin(), patch.begin() + 8) +
                                        "' patch; only BSDIFF40 is supported"};
  if (patch.empty()) return Error{Errc::corrupt, "the patch is empty"};
  std::string first;
  for (size_t i = 0; i < patch.size() && i < 4; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%s%02x", i ? " " : "", patch[i]);
    first += hex;
  }
  return Error{Errc::unsupported, "not a patch ota-delta knows: it starts with bytes " + first +
                                      ", neither the BSDIFF40 or OTADELTA magic, a zstd frame nor VCDIFF"};
}

}  // namespace ota::delta
