// The root-of-trust region (docs/image-format.md): what a device's OTP/fuses hold in
// the emulation. Programmed once at the factory and never erased: the SHA-256 key
// hashes the bootloader trusts with a signature threshold (BOOT-SPEC I4), and the
// anti-rollback counter (A2, F11) as a row of write-once entries, each advance
// programming the next one, so the counter never needs an erase and a power cut during
// an advance leaves the old or the new value.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"

namespace ota::image {

inline constexpr uint32_t kRotMagic = 0x544F524F;  // "OROT" in file order
inline constexpr uint16_t kRotFormatVersion = 1;
inline constexpr size_t kRotHeaderSize = 32;
inline constexpr size_t kMaxTrustedKeys = 16;

using KeyHash = std::array<uint8_t, 32>;

struct RootOfTrust {
  std::vector<KeyHash> key_hashes;  // KEYHASH values of the trusted keys (slot_image.h)
  uint8_t threshold = 1;            // distinct trusted keys whose signatures an image needs
  uint32_t counter = 0;             // the anti-rollback floor: highest valid entry, 0 if none
  uint32_t counter_slots = 0;       // entries in all
  uint32_t counter_used = 0;        // entries programmed (valid or torn)
};

// The device holding region 'rot' (the first device if the layout has none).
const flash::Device& rot_device(const Layout& layout);
// Bytes from the region start to the first counter entry, and the entry stride: an
// entry is u32 value, u32 ~value, padded to that device's write granule.
size_t rot_entry_stride(const Layout& layout);
size_t rot_counter_offset(const Layout& layout, size_t key_count);
// The region size a root of trust with `key_count` keys needs under `layout`.
uint64_t rot_required_size(const Layout& layout, size_t key_count);

// Programs the header and key hashes into the erased `rot` region, then the first counter
// entry when `initial_counter` > 0. Errc::invalid_argument for 0 or more than 16 keys,
// a threshold out of 1..keys, a region too small (the bytes missing named).
Result<void> provision_rot(flash::Flash& flash, const Layout& layout, const std::vector<KeyHash>& keys,
                           uint8_t threshold, uint32_t initial_counter);

// Reads and checks the region (magic, version, CRC, counts). Errc::corrupt otherwise;
// Errc::not_found when the region is still erased (not provisioned).
Result<RootOfTrust> read_rot(flash::Flash& flash, const Layout& layout);

// F11 advance(v): programs the next free entry with `value` when it is above the current
// counter; a no-op otherwise. Errc::no_space when every entry is used (the e-fuse budget).
// Returns the counter after the call.
Result<uint32_t> advance_counter(flash::Flash& flash, const Layout& layout, uint32_t value);

}  // namespace ota::image
