// Factory flash images and their inspection (BOOT-SPEC L6-L8, I4, C2, A1): everything a
// device leaves the factory with, laid out by the layout on one flash device:
//   bootloader region: flash-map descriptor + trusted public key table
//   rot:               the keys' hashes, the signature threshold, the anti-rollback floor
//   slot_a [, slot_b]: signed slot images, the rest of each slot erased
//   bcr0, bcr1:        the factory boot-control record (L7)
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/keys.h"
#include "flash/flash.h"
#include "image/bcr.h"
#include "image/layout.h"
#include "image/rot.h"
#include "image/slot_image.h"

namespace ota::image {

struct FactoryRequest {
  std::vector<crypto::PublicKey> trust;  // the keys the bootloader accepts
  uint8_t threshold = 1;                 // distinct trusted signatures an image needs
  Bytes slot_a;                          // a signed slot image
  std::optional<Bytes> slot_b;           // optional second image (a confirmed fallback)
};

struct FactoryReport {
  BootControl bcr;                      // as written
  uint32_t counter = 0;                 // the anti-rollback floor provisioned
  std::vector<VerifyReport> slots;      // slot A, then slot B when given
};

// Writes a factory image into `flash`, which must be erased. Each slot image must fit
// its slot (Errc::invalid_argument names the bytes missing, L5) and pass verify_image
// against the trusted keys, the layout's hardware id and the slot's address
// (Errc::rejected with the imgtool-style code). L7 record: slot A CONFIRMED, priority
// 15, tries as the layout's boot policy; slot B EMPTY, or CONFIRMED with priority 14 when
// given; seq 1; the floor is the lowest SEC_CNT of the slots (A3's rule).
Result<FactoryReport> build_factory(flash::Flash& flash, const Layout& layout, const FactoryRequest& request);

struct SlotInspection {
  std::string region;                  // "slot_a", "slot_b"
  bool empty = false;                  // no image magic (erased or foreign bytes)
  std::optional<VerifyReport> report;  // when not empty
  std::optional<std::string> bcr_mismatch;  // the record's digest32/sec_cnt differ from the image
};

struct FlashInspection {
  Layout layout;
  std::optional<std::string> layout_problem;  // the embedded flash map differs from --layout
  std::vector<crypto::PublicKey> bootloader_keys;
  std::optional<std::string> keys_problem;
  std::optional<RootOfTrust> rot;
  std::optional<std::string> rot_problem;
  std::optional<LoadedBcr> bcr;
  std::optional<std::string> bcr_problem;  // e.g. no valid copy: the bootloader's scan mode (C6)
  std::vector<SlotInspection> slots;
};

// Reads a flash image: the layout from its flash-map descriptor (or `layout` when given,
// reporting a descriptor that disagrees), the trusted keys, the root of trust, the
// boot-control record, and each slot verified as the bootloader would (keys provisioned in
// rot, threshold, hardware id, anti-rollback floor, slot address). Only reads. Errors
// only when there is no usable layout at all; everything else is reported.
Result<FlashInspection> inspect_flash(ByteView flash_bytes, const std::optional<Layout>& layout);

}  // namespace ota::image
