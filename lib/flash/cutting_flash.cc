// CuttingFlash: one power cut per run, in a BOOT-SPEC F5 mode.
#include "flash/cutting_flash.h"
#include "core/hex.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace ota::flash {
namespace {

}  // namespace

std::string_view to_string(CutMode mode) {
  switch (mode) {
    case CutMode::before: return "before";
    case CutMode::after: return "after";
    case CutMode::torn_program: return "torn-program";
    case CutMode::torn_erase: return "torn-erase";
    case CutMode::unstable: return "unstable";
  }
  return "unknown";
}

CuttingFlash::CuttingFlash(MemFlash& flash, uint64_t cut_at, CutMode mode, uint64_t seed)
    : flash_(flash), cut_at_(cut_at), mode_(mode), rng_state_(seed) {}

// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable with any value, good enough bits.
uint64_t CuttingFlash::next_random() {
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Result<void> CuttingFlash::power_cut(std::string_view what) {
  return Error{Errc::power_cut, std::string(what) + ": power cut at flash operation " +
                                    std::to_string(cut_at_) + " (" + std::string(to_string(mode_)) +
                                    ")"};
}

Result<void> CuttingFlash::read(uint64_t offset, std::span<uint8_t> out) {
  if (cut_) return power_cut("read at " + hex_number(offset));
  return flash_.read(offset, out);
}

Result<void> CuttingFlash::program(uint64_t offset, ByteView data) {
  const std::string what = "program at " + hex_number(offset);
  if (cut_) return power_cut(what);
  if (++operations_ != cut_at_) return flash_.program(offset, data);
  cut_ = true;
  switch (mode_) {
    case CutMode::before: break;
    case CutMode::after: (void)flash_.program(offset, data); break;  // result never seen
    case CutMode::torn_program:
    case CutMode::torn_erase:
    case CutMode::unstable:
      if (flash_.check_program(offset, data)) tear_program(offset, data, mode_ == CutMode::unstable);
      break;
  }
  return power_cut(what);
}

Result<void> CuttingFlash::erase(uint64_t offset, uint64_t length) {
  const std::string what = "erase at " + hex_number(offset);
  if (cut_) return power_cut(what);
  if (++operations_ != cut_at_) return flash_.erase(offset, length);
  cut_ = true;
  switch (mode_) {
    case CutMode::before: break;
    case CutMode::after: (void)flash_.erase(offset, length); break;
    case CutMode::torn_program:
    case CutMode::torn_erase:
    case CutMode::unstable:
      if (flash_.check_erase(offset, length)) tear_erase(offset, length, mode_ == CutMode::unstable);
      break;
  }
  return power_cut(what);
}

// Granules [0, k) reach the programmed value, granule k a random subset of its bit
// changes (all, none or anything between: "all but the last byte" of mcuboot PR #2793
// is one outcome), the rest is untouched.
void CuttingFlash::tear_program(uint64_t offset, ByteView data, bool unstable) {
  const flash::Device& device = flash_.geometry().device_at(offset);
  const size_t ws = device.write_size;
  const uint8_t erased = device.erased;
  const size_t granules = data.size() / ws;
  const size_t k = static_cast<size_t>(next_random() % granules);
  const size_t torn_end = (k + 1) * ws;
  const Bytes& now = flash_.bytes();
  Bytes result(torn_end), old_granule(ws), new_granule(ws);
  uint64_t bits = 0;
  for (size_t i = 0; i < torn_end; ++i) {
    const uint8_t old = now[offset + i];
    // What a complete program leaves (see MemFlash::program): programmed bits accumulate.
    const uint8_t target = static_cast<uint8_t>(((old ^ erased) | (data[i] ^ erased)) ^ erased);
    if (i < k * ws) {
      result[i] = target;
      continue;
    }
    if ((i - k * ws) % 8 == 0) bits = next_random();
    const uint8_t keep = static_cast<uint8_t>(bits >> (8 * ((i - k * ws) % 8)));
    result[i] = static_cast<uint8_t>(old ^ ((old ^ target) & keep));
    old_granule[i - k * ws] = old;
    new_granule[i - k * ws] = target;
  }
  flash_.poke(offset, result);
  flash_.mark_programmed(offset, torn_end);
  if (unstable) flash_.make_unstable(offset + k * ws, old_granule, new_granule, next_random());
}

// A real erase first (resets the marks, counts the cycle), then each bit that was
// programmed before survives with probability 1/2: bits only ever move toward erased.
void CuttingFlash::tear_erase(uint64_t offset, uint64_t length, bool unstable) {
  const uint8_t erased = flash_.geometry().device_at(offset).erased;
  Bytes before(flash_.bytes().begin() + static_cast<std::ptrdiff_t>(offset),
               flash_.bytes().begin() + static_cast<std::ptrdiff_t>(offset + length));
  const Bytes original = before;
  (void)flash_.erase(offset, length);  // checked by the caller
  uint64_t bits = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    if (i % 8 == 0) bits = next_random();
    const uint8_t survive = static_cast<uint8_t>(bits >> (8 * (i % 8)));
    before[i] = static_cast<uint8_t>(erased ^ ((before[i] ^ erased) & survive));
  }
  flash_.poke(offset, before);
  if (!unstable) return;
  // Every granule that did not end fully erased reads between its old and erased values.
  const size_t ws = flash_.geometry().device_at(offset).write_size;
  const Bytes erased_granule(ws, erased);
  for (size_t g = 0; g < before.size(); g += ws)
    if (!std::equal(before.begin() + long(g), before.begin() + long(g + ws), erased_granule.begin()))
      flash_.make_unstable(offset + g, ByteView(original).subspan(g, ws), erased_granule, next_random());
}

}  // namespace ota::flash
