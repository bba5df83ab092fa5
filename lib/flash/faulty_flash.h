// F7 fault injection (BOOT-SPEC F7, T7): a Flash wrapper whose programs and erases inside
// chosen ranges fail with a probability (MCUboot's bad regions at p = 1.0 and 0.5,
// littlefs's PROGERROR / ERASEERROR), and whose sectors wear out after a number of erases.
// A failed operation changes nothing and returns Errc::io; an erase of a worn sector
// returns Errc::no_space naming the sector. Seeded, so a run replays exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "flash/flash.h"
#include "flash/mem_flash.h"

namespace ota::flash {

struct FaultRange {
  uint64_t offset = 0, length = 0;
  double program_fail = 0;  // probability that a program touching the range fails
  double erase_fail = 0;    // probability that an erase touching the range fails
};

struct FlashFaults {
  std::vector<FaultRange> ranges;
  std::optional<uint64_t> erase_cycles;  // a sector erased this many times no longer erases
  uint64_t seed = 0;
};

class FaultyFlash final : public Flash {
 public:
  // `mem` is the device under `inner` (for the erase counts of wear-out); both must
  // outlive this.
  FaultyFlash(Flash& inner, const MemFlash& mem, FlashFaults faults);
  const Geometry& geometry() const override { return inner_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
  Result<void> program(uint64_t offset, ByteView data) override;
  Result<void> erase(uint64_t offset, uint64_t length) override;
  uint64_t failures() const { return failures_; }

 private:
  bool fails(uint64_t offset, uint64_t length, double FaultRange::*rate);
  Flash& inner_;
  const MemFlash& mem_;
  FlashFaults faults_;
  uint64_t rng_;
  uint64_t failures_ = 0;
};

}  // namespace ota::flash
