#include "delta/branch_filter.h"

#include "core/bytes.h"

namespace ota::delta {
namespace {

// Displacements within ±16 MiB (top byte 0x00 or 0xFF, i.e. a sign-extended 25-bit
// value) are converted modulo 2^25 and sign-extended again, so the converted value
// also has a top byte of 0x00 or 0xFF and the decoder recognises exactly the same
// operands. Others (data that happens to follow an E8 byte) are left alone.
inline bool convertible(uint32_t v) { return (v >> 24) == 0x00 || (v >> 24) == 0xFF; }
inline uint32_t sign_extend25(uint32_t v) {
  v &= 0x01FFFFFFu;
  return (v & 0x01000000u) ? (v | 0xFE000000u) : v;
}

template <bool kEncode>
size_t convert(uint8_t* data, size_t size, uint64_t base, bool at_end) {
  size_t i = 0;
  while (i < size) {
    const uint8_t op = data[i];
    if (op != 0xE8 && op != 0xE9) {
      ++i;
      continue;
    }
    if (i + 5 > size) return at_end ? size : i;  // the operand is not all here yet
    const uint32_t v = load_le32(data + i + 1);
    if (convertible(v)) {
      const uint32_t next = uint32_t(base + i + 5);  // what rel32 is relative to
      store_le32(data + i + 1, sign_extend25(kEncode ? v + next : v - next));
    }
    i += 5;
  }
  return size;
}

}  // namespace

size_t x86_branch_encode(uint8_t* data, size_t size, uint64_t base, bool at_end) {
  return convert<true>(data, size, base, at_end);
}
size_t x86_branch_decode(uint8_t* data, size_t size, uint64_t base, bool at_end) {
  return convert<false>(data, size, base, at_end);
}

}  // namespace ota::delta
