// CuttingFlash: cuts power at one program or erase operation (BOOT-SPEC F5), the
// countdown of MCUboot's sim/mcuboot-sys/csupport/run.c plus the torn writes MCUboot's
// simulator never models (mcuboot#1966, #2108).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "flash/flash.h"
#include "flash/mem_flash.h"

namespace ota::flash {

enum class CutMode {
  before,        // the op is not executed
  after,         // the op completes, then power is lost before the caller continues
  torn_program,  // a program stops inside a seeded granule (an erase tears as torn_erase)
  torn_erase,    // each bit of the erased range keeps its old value or becomes erased
                 // (a program tears as torn_program)
  unstable,      // torn as above, and the torn cells then read as a seeded per-read mix
                 // of their old and new values until erased or programmed (F5)
};
inline constexpr std::array<CutMode, 5> kAllCutModes = {CutMode::before, CutMode::after, CutMode::torn_program,
                                                        CutMode::torn_erase, CutMode::unstable};
std::string_view to_string(CutMode mode);

// Wraps a MemFlash (not owned; it must outlive this) and counts program and erase calls
// from 1. Call number `cut_at` is the cut: it has the mode's effect on the MemFlash and
// returns Errc::power_cut; from then on every call, reads included, returns
// Errc::power_cut and changes nothing. cut_at == 0 never cuts (to count a scenario's ops).
// Reads before the cut pass through.
//
// Torn writes are deterministic in `seed` (splitmix64) and use MemFlash::poke:
//  - torn program: granules before a seeded granule k get the programmed value, granule k
//    a seeded subset of its bit changes, later granules stay as they were; granules
//    0..k are marked programmed (a torn program is a program). Not counted in
//    MemFlash::programs().
//  - torn erase: MemFlash::erase runs (the sector was cycled: erase counts rise), then
//    each bit that was programmed before is restored with probability 1/2.
// A cut op the device would refuse (misaligned, forbidden by the program rule) changes
// nothing, whatever the mode.
class CuttingFlash final : public Flash {
 public:
  CuttingFlash(MemFlash& flash, uint64_t cut_at, CutMode mode, uint64_t seed = 0);

  const Geometry& geometry() const override { return flash_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  Result<void> program(uint64_t offset, ByteView data) override;
  Result<void> erase(uint64_t offset, uint64_t length) override;

  bool cut() const { return cut_; }
  uint64_t operations() const { return operations_; }  // program + erase calls up to the cut

 private:
  Result<void> power_cut(std::string_view what);
  void tear_program(uint64_t offset, ByteView data, bool unstable);
  void tear_erase(uint64_t offset, uint64_t length, bool unstable);
  uint64_t next_random();

  MemFlash& flash_;
  uint64_t cut_at_;
  CutMode mode_;
  uint64_t rng_state_;
  uint64_t operations_ = 0;
  bool cut_ = false;
};

}  // namespace ota::flash
