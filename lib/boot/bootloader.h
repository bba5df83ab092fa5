// The emulated secure bootloader (BOOT-SPEC §4.5 B1-B8, §4.6 A3-A5, C7; docs/boot.md): what
// one reset of a dual-bank device does, from the flash alone. It reads the flash map (L6),
// the trusted keys and the root of trust (device_trust.h), the boot-control record (bcr.h)
// and the slot images; it writes only the boot-control record and the anti-rollback
// counter, never slot contents (B6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "image/slot_image.h"

namespace ota::boot {

enum class BootPath {
  normal,    // a confirmed slot, nothing given up on this reset
  trial,     // the pending slot, one trial boot counted before the jump (B2)
  rollback,  // a pending or preferred slot was given up on this reset; a fallback booted
  scan,      // no valid boot-control record: the best verifying slot, on trial (B7)
  recovery,  // nothing booted
};
std::string_view to_string(BootPath path);

struct SlotCheck {            // one candidate the bootloader judged, in the order judged
  int slot = 0;
  std::string region;
  image::VerifyCode code = image::VerifyCode::ok;  // I5 result (verify_image), or dependency
  std::string message;                             // empty when bootable; else one line why not
  std::optional<image::ImageVersion> version;
  uint32_t security_counter = 0;
  bool record_match = true;   // the BCR's digest32/sec_cnt for that slot match the image (a stale record = not bootable)
};
// code ok and the record describes the image.
bool bootable(const SlotCheck& check);

struct BootResult {
  std::optional<int> booted;  // nullopt = RECOVERY: nothing booted
  BootPath path = BootPath::recovery;
  std::string reason;          // one line: why this slot / why recovery
  std::optional<image::ParsedImage> image;   // the booted slot's image
  uint8_t trial = 0, tries = 0;             // trial n of N (paths trial and scan)
  std::optional<size_t> bcr_copy;           // record used at start (none in scan mode)
  uint32_t bcr_seq = 0;
  uint32_t floor_before = 0, floor_after = 0;
  std::vector<SlotCheck> checks;
  std::vector<std::string> writes;  // every BCR write and counter advance made (or failed), in order, one line each
};

// One reset of the device, BOOT-SPEC §4.5 lines 1-15, plus the A3 heal before the jump.
// Reads trust (read_device_trust) and the floor from flash; never writes slot contents
// (B6); zero flash writes on a normal boot of a confirmed slot (C7). Errors only for flash
// I/O failures (Errc::power_cut from a CuttingFlash propagates unchanged so a power-cut
// harness sees it) or a flash whose embedded flash map differs from `layout` (L6:
// Errc::rejected, or Errc::corrupt when there is none; nothing written). An unreadable
// rot/key table or no verifying slot is RECOVERY (a result, not an error). A failed BCR
// write (Errc::io) is reported in `writes`, never an error: the trial it would have
// counted is not booted (B2), and everything else proceeds from the record in memory.
Result<BootResult> boot(flash::Flash& flash, const image::Layout& layout);

std::string slot_name(int slot);  // "A", "B"

}  // namespace ota::boot
