#include "delta/bsdiff_header.h"

#include <cstring>
#include <string>

namespace ota::delta {

void store_offt(uint8_t out[8], int64_t value) {
  uint64_t magnitude = value < 0 ? uint64_t(0) - uint64_t(value) : uint64_t(value);
  store_le64(out, magnitude);
  if (value < 0) out[7] |= 0x80;
}

int64_t load_offt(const uint8_t in[8]) {
  uint64_t raw = load_le64(in);
  int64_t magnitude = int64_t(raw & ~(uint64_t(1) << 63));
  return (raw >> 63) ? -magnitude : magnitude;
}

Result<BsdiffHeader> parse_bsdiff_header(ByteView payload) {
  if (payload.size() < kBsdiffHeaderBytes || std::memcmp(payload.data(), kBsdiffMagic, 8) != 0)
    return Error{Errc::corrupt, "the BSDIFF40 header is truncated (" +
                                    std::to_string(payload.size()) + " of 32 bytes)"};
  int64_t ctrl = load_offt(payload.data() + 8);
  int64_t diff = load_offt(payload.data() + 16);
  int64_t new_size = load_offt(payload.data() + 24);
  if (ctrl < 0 || diff < 0 || new_size < 0)
    return Error{Errc::corrupt, "the BSDIFF40 header has a negative length (control " +
                                    std::to_string(ctrl) + ", diff " + std::to_string(diff) +
                                    ", new size " + std::to_string(new_size) + ")"};
  uint64_t rest = payload.size() - kBsdiffHeaderBytes;
  if (uint64_t(ctrl) > rest || uint64_t(diff) > rest - uint64_t(ctrl))
    return Error{Errc::corrupt, "the BSDIFF40 header declares " + std::to_string(ctrl) + "+" +
                                    std::to_string(diff) + " stream bytes but only " +
                                    std::to_string(rest) + " follow: truncated patch"};
  return BsdiffHeader{uint64_t(ctrl), uint64_t(diff), rest - uint64_t(ctrl) - uint64_t(diff),
                      uint64_t(new_size)};
}

}  // namespace ota::delta
