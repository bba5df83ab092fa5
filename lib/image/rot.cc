#include "image/rot.h"
#include "core/hex.h"

#include <zlib.h>

#include <algorithm>
#include <string>

namespace ota::image {
namespace {

const Region* rot_region(const Layout& layout) { return layout.find("rot"); }

uint32_t crc_of(ByteView header28, ByteView hashes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, header28.data(), static_cast<uInt>(header28.size()));
  crc = crc32(crc, hashes.data(), static_cast<uInt>(hashes.size()));
  return static_cast<uint32_t>(crc);
}

bool all_erased(ByteView bytes, uint8_t erased) {
  return std::all_of(bytes.begin(), bytes.end(), [&](uint8_t b) { return b == erased; });
}

struct Entries {
  uint32_t counter = 0;
  uint32_t used = 0;  // index of the first entry after the last programmed one
};

Result<Entries> read_entries(flash::Flash& flash, const Layout& layout, const Region& region, size_t keys) {
  const size_t stride = rot_entry_stride(layout);
  const uint64_t start = region.offset + rot_counter_offset(layout, keys);
  // Read twice: cells a cut left half-programmed may read differently each time (F5
  // "unstable"), and an entry that does not read the same twice is not trusted.
  Bytes row(size_t(layout.counter_slots) * stride), again(row.size());
  if (auto r = flash.read(start, row); !r) return std::move(r).error();
  if (auto r = flash.read(start, again); !r) return std::move(r).error();
  Entries out;
  for (uint32_t i = 0; i < layout.counter_slots; ++i) {
    const uint8_t* e = row.data() + size_t(i) * stride;
    const bool stable = std::equal(e, e + stride, again.data() + size_t(i) * stride);
    if (stable && all_erased({e, 8}, rot_device(layout).erased)) continue;
    out.used = i + 1;
    const uint32_t value = load_le32(e), check = load_le32(e + 4);
    // A torn entry never shows a valid pair: only a complete program makes the value
    // and its complement agree (docs/image-format.md), so it is skipped, not trusted.
    if (stable && value == ~check) out.counter = std::max(out.counter, value);
  }
  return out;
}

}  // namespace

const flash::Device& rot_device(const Layout& layout) {
  const Region* region = layout.find("rot");
  return layout.geometry.device_at(region ? region->offset : 0);
}

size_t rot_entry_stride(const Layout& layout) { return std::max<size_t>(8, rot_device(layout).write_size); }

size_t rot_counter_offset(const Layout& layout, size_t key_count) {
  const size_t stride = rot_entry_stride(layout);
  const size_t end = kRotHeaderSize + 32 * key_count;
  return (end + stride - 1) / stride * stride;
}

uint64_t rot_required_size(const Layout& layout, size_t key_count) {
  return rot_counter_offset(layout, key_count) + uint64_t(layout.counter_slots) * rot_entry_stride(layout);
}

Result<void> provision_rot(flash::Flash& flash, const Layout& layout, const std::vector<KeyHash>& keys,
                           uint8_t threshold, uint32_t initial_counter) {
  const Region* region = rot_region(layout);
  if (!region) return Error{Errc::invalid_argument, "the layout has no 'rot' region"};
  if (keys.empty() || keys.size() > kMaxTrustedKeys)
    return Error{Errc::invalid_argument, "the root of trust holds 1 to " + std::to_string(kMaxTrustedKeys) +
                                             " trusted keys, not " + std::to_string(keys.size())};
  for (size_t i = 0; i < keys.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (keys[i] == keys[j]) return Error{Errc::invalid_argument, "the same key is trusted twice"};
  if (threshold < 1 || threshold > keys.size())
    return Error{Errc::invalid_argument, "a signature threshold of " + std::to_string(threshold) + " needs 1 to " +
                                             std::to_string(keys.size()) + " (the number of trusted keys)"};
  const uint64_t need = rot_required_size(layout, keys.size());
  if (need > region->size)
    return Error{Errc::invalid_argument, "region 'rot' (" + hex_number(region->size) + " bytes) is " +
                                             std::to_string(need - region->size) + " bytes too small for " +
                                             std::to_string(keys.size()) + " key hashes and " +
                                             std::to_string(layout.counter_slots) + " counter entries"};
  Bytes bytes(rot_counter_offset(layout, keys.size()), rot_device(layout).erased);
  std::fill(bytes.begin(), bytes.begin() + kRotHeaderSize, 0);
  store_le32(bytes.data(), kRotMagic);
  bytes[4] = kRotFormatVersion & 0xff;
  bytes[5] = kRotFormatVersion >> 8;
  bytes[6] = kRotHeaderSize;
  bytes[8] = static_cast<uint8_t>(keys.size());
  bytes[9] = threshold;
  bytes[10] = layout.counter_slots & 0xff;
  bytes[11] = (layout.counter_slots >> 8) & 0xff;
  bytes[12] = static_cast<uint8_t>(rot_entry_stride(layout));
  for (size_t i = 0; i < keys.size(); ++i) std::copy(keys[i].begin(), keys[i].end(), bytes.begin() + 32 + 32 * i);
  store_le32(bytes.data() + 28, crc_of({bytes.data(), 28}, {bytes.data() + 32, 32 * keys.size()}));
  OTA_TRY(flash::program_pages(flash, region->offset, bytes));
  if (initial_counter > 0) OTA_TRY(advance_counter(flash, layout, initial_counter));
  return {};
}

Result<RootOfTrust> read_rot(flash::Flash& flash, const Layout& layout) {
  const Region* region = rot_region(layout);
  if (!region) return Error{Errc::invalid_argument, "the layout has no 'rot' region"};
  uint8_t header[kRotHeaderSize];
  if (region->size < kRotHeaderSize) return Error{Errc::corrupt, "region 'rot' is smaller than its 32-byte header"};
  if (auto r = flash.read(region->offset, header); !r) return std::move(r).error();
  if (all_erased(header, rot_device(layout).erased))
    return Error{Errc::not_found, "the root of trust is not provisioned (region 'rot' is erased)"};
  if (load_le32(header) != kRotMagic) return Error{Errc::corrupt, "region 'rot' does not start with the magic 'OROT'"};
  const uint16_t version = uint16_t(header[4] | header[5] << 8), header_size = uint16_t(header[6] | header[7] << 8);
  if (version != kRotFormatVersion || header_size != kRotHeaderSize)
    return Error{Errc::corrupt, "region 'rot' has format version " + std::to_string(version) + " and header size " +
                                    std::to_string(header_size) + "; this build reads version 1 with 32"};
  RootOfTrust rot;
  const size_t keys = header[8];
  rot.threshold = header[9];
  rot.counter_slots = uint32_t(header[10] | header[11] << 8);
  if (keys < 1 || keys > kMaxTrustedKeys || rot.threshold < 1 || rot.threshold > keys)
    return Error{Errc::corrupt, "region 'rot' lists " + std::to_string(keys) + " keys with threshold " +
                                    std::to_string(rot.threshold)};
  if (header[12] != rot_entry_stride(layout) || rot.counter_slots != layout.counter_slots ||
      rot_required_size(layout, keys) > region->size)
    return Error{Errc::corrupt, "region 'rot' was provisioned for another layout (counter entries " +
                                    std::to_string(rot.counter_slots) + " of " + std::to_string(header[12]) +
                                    " bytes; the layout has " + std::to_string(layout.counter_slots) + " of " +
                                    std::to_string(rot_entry_stride(layout)) + ")"};
  for (size_t i = 13; i < 28; ++i)
    if (header[i] != 0) return Error{Errc::corrupt, "region 'rot' has nonzero reserved bytes"};
  Bytes hashes(32 * keys);
  if (auto r = flash.read(region->offset + kRotHeaderSize, hashes); !r) return std::move(r).error();
  if (crc_of({header, 28}, hashes) != load_le32(header + 28))
    return Error{Errc::corrupt, "region 'rot' fails its CRC: the key hashes cannot be trusted"};
  for (size_t i = 0; i < keys; ++i) {
    KeyHash h;
    std::copy_n(hashes.begin() + 32 * i, 32, h.begin());
    rot.key_hashes.push_back(h);
  }
  auto entries = read_entries(flash, layout, *region, keys);
  if (!entries) return std::move(entries).error();
  rot.counter = entries->counter;
  rot.counter_used = entries->used;
  return rot;
}

Result<uint32_t> advance_counter(flash::Flash& flash, const Layout& layout, uint32_t value) {
  auto rot = read_rot(flash, layout);
  if (!rot) return std::move(rot).error();
  if (value <= rot->counter) return rot->counter;  // never decreases; idempotent
  if (rot->counter_used >= rot->counter_slots)
    return Error{Errc::no_space, "the anti-rollback counter has used all " + std::to_string(rot->counter_slots) +
                                     " entries and cannot rise to " + std::to_string(value)};
  const size_t stride = rot_entry_stride(layout);
  Bytes entry(stride, rot_device(layout).erased), back(stride);
  store_le32(entry.data(), value);
  store_le32(entry.data() + 4, ~value);
  const uint64_t base = layout.find("rot")->offset + rot_counter_offset(layout, rot->key_hashes.size());
  // An entry an earlier advance tore may still read as erased (its cells unstable) yet
  // refuse a second program, or take it and read back as neither value: such an entry is
  // used up, and the next one takes the value. Without this a torn advance could never be
  // healed, and the floor would flicker between its old and new value.
  for (uint32_t index = rot->counter_used; index < rot->counter_slots; ++index) {
    const uint64_t at = base + uint64_t(index) * stride;
    if (auto programmed = flash::program_pages(flash, at, entry); !programmed) {
      if (programmed.error().code == Errc::rejected) continue;
      return std::move(programmed).error();
    }
    OTA_TRY(flash.read(at, back));
    if (back == entry) return value;
  }
  return Error{Errc::no_space, "the anti-rollback counter has no usable entry left to rise to " + std::to_string(value)};
}

}  // namespace ota::image
