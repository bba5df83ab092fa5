// What a device trusts, read from its own flash (BOOT-SPEC I4, A2, L6): the public keys
// compiled into the bootloader region (key_table.h) and the root-of-trust region's key
// hashes, threshold and anti-rollback floor (rot.h). The bootloader, the device agent,
// `ota-image info` and the factory builder all judge slot images with slot_policy, so
// they agree on what boots.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "crypto/keys.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "image/rot.h"
#include "image/slot_image.h"

namespace ota::image {

struct DeviceTrust {
  std::vector<crypto::PublicKey> keys;  // the bootloader region's key table
  RootOfTrust rot;                      // key hashes, threshold, anti-rollback floor
};

// The key table in the bootloader region. Errc::corrupt with one line when it is missing
// or malformed; flash read errors pass through unchanged.
Result<std::vector<crypto::PublicKey>> read_bootloader_keys(flash::Flash& flash, const Layout& layout);

// The bootloader region's key table + the rot region, both checked; Errc::corrupt /
// not_found with one line. Flash read errors (Errc::io, Errc::power_cut) pass through.
Result<DeviceTrust> read_device_trust(flash::Flash& flash, const Layout& layout);

// The policy the bootloader applies to slot `index` (0=A,1=B): keys whose hash is
// provisioned in rot, rot threshold, layout hardware id + vendor, min_security_counter =
// floor, slot exec address. A key in the table whose hash rot does not list is not
// trusted: rot is the OTP part a compromised bootloader region cannot extend.
TrustPolicy slot_policy(const Layout& layout, const DeviceTrust& trust, int index, std::optional<uint32_t> floor);

// The BCR's digest32 for an image: the first four bytes of its SHA256 TLV, little-endian.
uint32_t record_digest32(const ParsedImage& image);

}  // namespace ota::image
