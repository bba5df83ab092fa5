// The flash-map descriptor (BOOT-SPEC L6; docs/image-format.md): the layout in binary,
// stored at offset 0 of the bootloader region, as MCUboot's flash map is compiled into its
// bootloader. The emulated bootloader reads it instead of a YAML file and refuses a flash
// whose real geometry differs. Little-endian:
//   header (32 bytes) | [version 2: device entries (32 each)] | sector runs (16 each, all
//   devices in order) | region entries (48 each; offsets in the flash's single address
//   space) | name, hardware_id, vendor (u8 length + ASCII each) | u32 counter_slots | CRC-32
// Version 1 is written for a one-device layout whose device has no name, version 2 for
// the rest (several devices, F1).
// The CRC-32 (zlib's) covers every byte before it; total_length counts all of them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "image/layout.h"

namespace ota::image {

inline constexpr uint32_t kFlashMapMagic = 0x504D464F;  // "OFMP" in file order
inline constexpr uint16_t kFlashMapFormatVersion = 1;   // one unnamed flash device
inline constexpr uint16_t kFlashMapFormatVersion2 = 2;  // a table of named devices (F1)
inline constexpr size_t kFlashMapHeaderSize = 32;
inline constexpr size_t kFlashMapDeviceSize = 32;  // name[16], size, page_size, write_size, erased, runs
inline constexpr size_t kFlashMapRunSize = 16;     // u64 sector size, u64 count
inline constexpr size_t kFlashMapRegionSize = 48;  // name[16], offset, size, exec_addr, flags, reserved
inline constexpr uint8_t kFlashMapPreventLateFallback = 0x01;  // header flags bit0
inline constexpr uint32_t kFlashMapRegionHasExecAddr = 0x01;   // region flags bit0

// Bytes encode_flash_map(layout) returns; defined for any layout (validate_layout uses it
// to check that the descriptor fits in the bootloader region).
size_t flash_map_size(const Layout& layout);

// The descriptor of a layout that passes validate_layout (asserted in debug builds).
Bytes encode_flash_map(const Layout& layout);

// Reads the descriptor at the start of `region_bytes` (bytes after it, e.g. bootloader code
// or erased flash, are ignored). Errc::corrupt for a bad magic, version, length, reserved
// field or CRC, and for a descriptor whose layout fails validate_layout. Never reads past
// `region_bytes`.
Result<Layout> decode_flash_map(ByteView region_bytes);

}  // namespace ota::image
