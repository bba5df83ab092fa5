// Deterministic test inputs: random bytes, firmware-like structured data, and
// "next release" mutations (insertions, deletions, moved blocks, changed constants).
// Uses the raw mt19937_64 stream only, which the standard fixes bit for bit.
#pragma once

#include <cstdint>
#include <random>

#include "core/bytes.h"

namespace ota::testing {

inline Bytes random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(rng() >> 56);
  return out;
}

// Code-like data: instructions drawn from a small vocabulary with embedded
// little-endian addresses, interleaved with constant tables and zero padding.
inline Bytes structured_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes vocab = random_bytes(4096, seed ^ 0x5eed);
  Bytes out;
  out.reserve(n);
  while (out.size() < n) {
    switch (rng() % 8) {
      case 0: {  // constant table
        uint32_t base = uint32_t(rng());
        for (int i = 0; i < 64; ++i) {
          uint32_t v = base + uint32_t(i) * 37;
          for (int b = 0; b < 4; ++b) out.push_back(uint8_t(v >> (8 * b)));
        }
        break;
      }
      case 1: out.insert(out.end(), size_t(rng() % 64), 0); break;  // alignment padding
      default: {  // an "instruction run" with a call target
        size_t at = size_t(rng() % (vocab.size() - 32)), len = 8 + size_t(rng() % 24);
        out.insert(out.end(), vocab.begin() + long(at), vocab.begin() + long(at + len));
        uint32_t target = uint32_t(out.size() * 3);
        for (int b = 0; b < 4; ++b) out.push_back(uint8_t(target >> (8 * b)));
      }
    }
  }
  out.resize(n);
  return out;
}

inline Bytes mutate(const Bytes& old, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out = old;
  if (out.empty()) return random_bytes(16, seed);
  auto pick = [&](size_t limit) { return limit == 0 ? 0 : size_t(rng() % limit); };
  const int edits = 3 + int(out.size() / 65536 % 12);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 4) {
      case 0: {  // insertion
        Bytes ins = random_bytes(1 + pick(512), rng());
        out.insert(out.begin() + long(pick(out.size())), ins.begin(), ins.end());
        break;
      }
      case 1: {  // deletion
        size_t at = pick(out.size()), len = std::min(out.size() - at, 1 + pick(512));
        out.erase(out.begin() + long(at), out.begin() + long(at + len));
        break;
      }
      case 2: {  // moved block
        if (out.size() < 64) break;
        size_t len = 1 + pick(std::min<size_t>(out.size() / 4, 4096));
        size_t from = pick(out.size() - len);
        Bytes block(out.begin() + long(from), out.begin() + long(from + len));
        out.erase(out.begin() + long(from), out.begin() + long(from + len));
        out.insert(out.begin() + long(pick(out.size())), block.begin(), block.end());
        break;
      }
      default: {  // changed constants: every 4-byte word in a range shifts by a delta
        size_t at = pick(out.size()), len = std::min(out.size() - at, pick(2048));
        uint8_t delta = uint8_t(1 + pick(200));
        for (size_t i = at; i + 4 <= at + len; i += 16) out[i] = uint8_t(out[i] + delta);
      }
    }
    if (out.empty()) out.push_back(0);
  }
  return out;
}

}  // namespace ota::testing
