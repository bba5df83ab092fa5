// F11: a monotonic counter store outside the flash (an OTP / RPMB analogue), one counter
// per id. A counter never decreases; advancing is all or nothing (a power cut leaves the
// old or the new value: the store is written whole, through an atomic file replace, by
// whoever persists it); an optional increment budget models e-fuses that run out.
// The flash-backed alternative is the root-of-trust region's counter (lib/image/rot.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::flash {

class CounterDevice {
 public:
  // `budget`: increments allowed per counter (e.g. 64 fuses); none: unlimited.
  explicit CounterDevice(std::optional<uint32_t> budget = std::nullopt) : budget_(budget) {}

  uint64_t read(uint32_t id) const;                        // 0 for a counter never advanced
  uint32_t increments(uint32_t id) const;                  // advances that raised it
  std::optional<uint32_t> budget() const { return budget_; }
  // Raises counter `id` to `value`; a no-op when value <= the current value. Errc::rejected
  // (nothing changes) when the counter has used its whole budget.
  Result<void> advance(uint32_t id, uint64_t value);

  // The persisted form (docs/image-format.md, "Counter device"): magic "OCTR", version 1,
  // budget, entries sorted by id, CRC-32. parse() rejects anything else with one line.
  Bytes serialize() const;
  static Result<CounterDevice> parse(ByteView bytes);

 private:
  struct Entry {
    uint64_t value = 0;
    uint32_t increments = 0;
  };
  std::optional<uint32_t> budget_;
  std::map<uint32_t, Entry> counters_;
};

}  // namespace ota::flash
