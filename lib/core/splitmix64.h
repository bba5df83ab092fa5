// splitmix64 (Steele, Lea, Flood 2014): a tiny seedable generator for reproducible fault
// injection; not for anything secret.
#pragma once

#include <cstdint>

namespace ota {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A uniform double in [0, 1) from the next 53 bits.
inline double splitmix64_unit(uint64_t& state) { return double(splitmix64(state) >> 11) * 0x1.0p-53; }

}  // namespace ota
