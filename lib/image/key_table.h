// The bootloader's trusted public keys (docs/image-format.md): the table MCUboot compiles
// into its bootloader (bootutil_keys[]), stored in the bootloader region after the
// flash-map descriptor. The root-of-trust region holds their SHA-256 key hashes, as an
// MCUboot device with MCUBOOT_HW_KEY keeps key hashes in OTP: a key counts as trusted
// only when its hash is provisioned there.
//   u32 magic "OKEY" | u16 version 1 | u16 count | u32 total length | u32 reserved 0 |
//   count x (u8 algorithm, u8 0, u16 DER length, SubjectPublicKeyInfo DER) | u32 CRC-32
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/keys.h"
#include "image/layout.h"

namespace ota::image {

inline constexpr uint32_t kKeyTableMagic = 0x59454B4F;  // "OKEY" in file order
inline constexpr uint16_t kKeyTableVersion = 1;

// Where the table starts in the bootloader region: after the flash-map descriptor,
// rounded up to 64 bytes.
size_t key_table_offset(const Layout& layout);

Bytes encode_key_table(const std::vector<crypto::PublicKey>& keys);
// Errc::corrupt for a bad magic, version, length, CRC, algorithm or key; never reads
// past `bytes`.
Result<std::vector<crypto::PublicKey>> decode_key_table(ByteView bytes);

}  // namespace ota::image
