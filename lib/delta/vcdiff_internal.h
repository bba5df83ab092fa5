// VCDIFF building blocks shared by the encoder and the decoder: the indicator bits
// (RFC 3284 section 4 plus xdelta3's extensions), the base-128 integers of section 2,
// and the Adler-32 window checksum xdelta3 adds. docs/formats/vcdiff.md has the layout.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/bytes.h"

namespace ota::delta::vcdiff {

// Hdr_Indicator (section 4.1); kHdrAppHeader is xdelta3's VCD_APPHEADER.
inline constexpr uint8_t kHdrDecompress = 0x01, kHdrCodeTable = 0x02, kHdrAppHeader = 0x04;
// Win_Indicator (section 4.2); kWinAdler32 is xdelta3's VCD_ADLER32.
inline constexpr uint8_t kWinSource = 0x01, kWinTarget = 0x02, kWinAdler32 = 0x04;
// Delta_Indicator (section 4.3): which sections went through the secondary compressor.
inline constexpr uint8_t kDataComp = 0x01, kInstComp = 0x02, kAddrComp = 0x04;
// xdelta3's secondary compressor ids (xdelta3.h xd3_secondary_ids; not IANA-assigned).
inline constexpr uint8_t kSecondaryDjw = 1, kSecondaryLzma = 2, kSecondaryFgk = 16;

// A 64-bit value takes at most 10 base-128 digits.
inline constexpr size_t kMaxVarintBytes = 10;

// Bytes the RFC 3284 integer encoding of `v` takes (the minimum, as encoders write it).
inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >>= 7) ++n;
  return n;
}

// Base 128, most significant digit first, bit 7 set on every byte but the last.
inline void append_varint(Bytes& out, uint64_t v) {
  uint8_t digits[kMaxVarintBytes];
  size_t n = 0;
  do {
    digits[n++] = uint8_t(v & 0x7F);
    v >>= 7;
  } while (v != 0);
  while (n > 1) out.push_back(uint8_t(digits[--n] | 0x80));
  out.push_back(digits[0]);
}

inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (24 - 8 * i));
}

// zlib's adler32(1, data, len): what xdelta3 stores, big-endian, under VCD_ADLER32.
inline uint32_t adler32(ByteView data, uint32_t adler = 1) {
  constexpr uint32_t kMod = 65521;
  constexpr size_t kBlock = 5552;  // the most bytes before `b` can overflow 32 bits
  uint32_t a = adler & 0xFFFF, b = adler >> 16;
  const uint8_t* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const size_t n = std::min(left, kBlock);
    for (size_t i = 0; i < n; ++i) {
      a += p[i];
      b += a;
    }
    a %= kMod;
    b %= kMod;
    p += n;
    left -= n;
  }
  return b << 16 | a;
}

// A bounds-checked reader over one buffer. Every method returns false, and leaves the
// position unchanged, when the input ends first.
class ByteCursor {
 public:
  explicit ByteCursor(ByteView in, size_t pos = 0) : in_(in), pos_(pos) {}

  size_t pos() const { return pos_; }
  size_t left() const { return in_.size() - pos_; }

  bool byte(uint8_t& out) {
    if (pos_ >= in_.size()) return false;
    out = in_[pos_++];
    return true;
  }
  // Also false for an integer over 64 bits or longer than kMaxVarintBytes digits.
  bool varint(uint64_t& out) {
    uint64_t v = 0;
    for (size_t i = pos_; i < in_.size() && i - pos_ < kMaxVarintBytes; ++i) {
      if (v >> 57) return false;
      v = v << 7 | (in_[i] & 0x7F);
      if ((in_[i] & 0x80) == 0) {
        pos_ = i + 1;
        out = v;
        return true;
      }
    }
    return false;
  }
  bool take(uint64_t n, ByteView& out) {
    if (n > left()) return false;
    out = in_.subspan(pos_, size_t(n));
    pos_ += size_t(n);
    return true;
  }

 private:
  ByteView in_;
  size_t pos_;
};

}  // namespace ota::delta::vcdiff
