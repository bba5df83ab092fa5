#include "flash/faulty_flash.h"

#include "core/hex.h"
#include "core/splitmix64.h"

namespace ota::flash {

FaultyFlash::FaultyFlash(Flash& inner, const MemFlash& mem, FlashFaults faults)
    : inner_(inner), mem_(mem), faults_(std::move(faults)), rng_(faults_.seed) {}

bool FaultyFlash::fails(uint64_t offset, uint64_t length, double FaultRange::*rate) {
  for (const FaultRange& r : faults_.ranges) {
    if (offset >= r.offset + r.length || r.offset >= offset + length || r.*rate <= 0) continue;
    // One draw per operation that touches a faulty range, so the sequence replays.
    if (splitmix64_unit(rng_) < r.*rate) return true;
  }
  return false;
}

Result<void> FaultyFlash::program(uint64_t offset, ByteView data) {
  if (fails(offset, data.size(), &FaultRange::program_fail)) {
    ++failures_;
    return Error{Errc::io, "program at " + hex_number(offset) + " failed (injected)"};
  }
  return inner_.program(offset, data);
}

Result<void> FaultyFlash::erase(uint64_t offset, uint64_t length) {
  if (faults_.erase_cycles)
    for (uint64_t at = offset; at < offset + length;) {
      auto sector = geometry().sector_at(at);
      if (!sector) break;  // the device reports the bad range
      if (mem_.erase_count(sector->index) >= *faults_.erase_cycles) {
        ++failures_;
        return Error{Errc::no_space, "sector " + std::to_string(sector->index) + " at " + hex_number(sector->offset) +
                                         " is worn out after " + std::to_string(mem_.erase_count(sector->index)) +
                                         " erases"};
      }
      at = sector->offset + sector->size;
    }
  if (fails(offset, length, &FaultRange::erase_fail)) {
    ++failures_;
    return Error{Errc::io, "erase at " + hex_number(offset) + " failed (injected)"};
  }
  return inner_.erase(offset, length);
}

}  // namespace ota::flash
