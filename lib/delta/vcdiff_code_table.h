// The default VCDIFF instruction code table (RFC 3284 section 5.6) and the address cache
// (section 5.3), shared by the encoder and the decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ota::delta::vcdiff {

enum InstType : uint8_t { kNoop = 0, kAdd = 1, kRun = 2, kCopy = 3 };

// One half of a code-table entry: type, size (0 = the size follows as a varint), and for
// COPY the address mode.
struct Inst {
  InstType type = kNoop;
  uint8_t size = 0;
  uint8_t mode = 0;
};
struct CodeEntry {
  Inst first, second;
};

// The 256 entries of the default table, built exactly as RFC 3284 section 5.6 lists them.
const std::array<CodeEntry, 256>& default_code_table();

// The default address cache: s_near = 4, s_same = 3, so modes 0 (SELF), 1 (HERE),
// 2..5 (NEAR), 6..8 (SAME).
inline constexpr int kNearSize = 4, kSameSize = 3;
inline constexpr int kModes = 2 + kNearSize + kSameSize;

class AddressCache {
 public:
  void reset() {
    near_.fill(0);
    same_.fill(0);
    next_slot_ = 0;
  }
  uint64_t near(int i) const { return near_[size_t(i)]; }
  uint64_t same(int i) const { return same_[size_t(i)]; }
  // After each COPY (section 5.3): the address joins the near ring and the same table.
  void update(uint64_t addr) {
    near_[size_t(next_slot_)] = addr;
    next_slot_ = (next_slot_ + 1) % kNearSize;
    same_[size_t(addr % (kSameSize * 256))] = addr;
  }

 private:
  std::array<uint64_t, kNearSize> near_{};
  std::array<uint64_t, kSameSize * 256> same_{};
  int next_slot_ = 0;
};

}  // namespace ota::delta::vcdiff
