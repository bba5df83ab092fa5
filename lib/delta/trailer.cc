#include "delta/trailer.h"

#include <cstring>
#include <string>

#include "core/hex.h"
#include "delta/ota_patch.h"
#include "delta/vcdiff_internal.h"

namespace ota::delta {

namespace {

// VCDIFF has no room after its last window (xdelta3 would read a trailer as one more
// window), so the trailer travels in the file header's application header, as text that
// xdelta3 ignores when it is given the source and output names (docs/formats/delta-trailer.md).
std::string vcdiff_trailer_text(const Trailer& t) {
  return std::string(kTrailerMagic, 8) + " " + std::to_string(t.old_size) + " " + to_hex(t.old_sha256) + " " +
         std::to_string(t.new_size) + " " + to_hex(t.new_sha256);
}

// Where the application header goes (after the indicator, the secondary compressor id
// and the code table) and whether one is there; nullopt for a header this does not parse.
struct VcdiffHeaderSlot {
  size_t at = 0;
  std::optional<ByteView> app_header;
  size_t end = 0;  // after the application header, where the first window starts
};
std::optional<VcdiffHeaderSlot> vcdiff_header_slot(ByteView patch) {
  using namespace vcdiff;
  if (patch.size() < 5) return std::nullopt;
  ByteCursor c(patch, 4);
  uint8_t indicator = 0, id = 0;
  uint64_t len = 0;
  ByteView skipped;
  if (!c.byte(indicator)) return std::nullopt;
  if ((indicator & kHdrDecompress) && !c.byte(id)) return std::nullopt;
  if ((indicator & kHdrCodeTable) && !(c.varint(len) && c.take(len, skipped))) return std::nullopt;
  VcdiffHeaderSlot slot;
  slot.at = c.pos();
  if (indicator & kHdrAppHeader) {
    ByteView app;
    if (!(c.varint(len) && c.take(len, app))) return std::nullopt;
    slot.app_header = app;
  }
  slot.end = c.pos();
  return slot;
}

std::optional<Trailer> parse_vcdiff_trailer(ByteView app) {
  const std::string text(app.begin(), app.end());
  if (text.size() < 9 || text.compare(0, 9, std::string(kTrailerMagic, 8) + " ") != 0) return std::nullopt;
  char old_hex[65] = {}, new_hex[65] = {};
  unsigned long long old_size = 0, new_size = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str() + 9, "%20llu %64[0-9a-f] %20llu %64[0-9a-f]%n", &old_size, old_hex, &new_size, new_hex,
                  &consumed) != 4 ||
      size_t(consumed) + 9 != text.size())
    return std::nullopt;
  auto o = from_hex(old_hex), n = from_hex(new_hex);
  if (!o || !n || o->size() != 32 || n->size() != 32) return std::nullopt;
  Trailer t;
  t.old_size = old_size;
  t.new_size = new_size;
  std::memcpy(t.old_sha256.data(), o->data(), 32);
  std::memcpy(t.new_sha256.data(), n->data(), 32);
  return t;
}

}  // namespace

size_t vcdiff_trailer_bytes() {
  const size_t text = vcdiff_trailer_text(Trailer{}).size() - 2 + 2 * 20;  // sizes up to 20 digits
  return text + vcdiff::varint_size(text);
}

void append_trailer(Bytes& patch, Algorithm algo, const Trailer& t) {
  if (algo == Algorithm::kOta) return;  // its header already names source and target
  if (algo == Algorithm::kVcdiff) {
    auto slot = vcdiff_header_slot(patch);
    if (!slot || slot->app_header) return;  // not ours to rewrite: left without a trailer
    const std::string text = vcdiff_trailer_text(t);
    Bytes insert;
    vcdiff::append_varint(insert, text.size());
    insert.insert(insert.end(), text.begin(), text.end());
    patch[4] |= vcdiff::kHdrAppHeader;
    patch.insert(patch.begin() + long(slot->at), insert.begin(), insert.end());
    return;
  }
  uint8_t body[kTrailerBodyBytes];
  store_le64(body, t.old_size);
  store_le64(body + 8, t.new_size);
  std::memcpy(body + 16, t.old_sha256.data(), 32);
  std::memcpy(body + 48, t.new_sha256.data(), 32);
  std::memcpy(body + 80, kTrailerMagic, 8);
  if (algo == Algorithm::kZstd) {
    uint8_t frame_header[8];
    store_le32(frame_header, kTrailerSkippableMagic);
    store_le32(frame_header + 4, uint32_t(kTrailerBodyBytes));
    patch.insert(patch.end(), frame_header, frame_header + 8);
  }
  patch.insert(patch.end(), body, body + kTrailerBodyBytes);
}

SplitPatch split_trailer(ByteView patch, Algorithm algo) {
  if (algo == Algorithm::kOta) {
    auto header = parse_ota_header(patch);
    if (!header) return {patch, std::nullopt};  // the decoder reports what is wrong
    return {patch, Trailer{header->old_size, header->new_size, header->old_sha256, header->new_sha256}};
  }
  if (algo == Algorithm::kVcdiff) {
    auto slot = vcdiff_header_slot(patch);
    if (!slot || !slot->app_header) return {patch, std::nullopt};
    return {patch, parse_vcdiff_trailer(*slot->app_header)};  // the decoder skips the header
  }
  const size_t framing = algo == Algorithm::kZstd ? 8 : 0;
  const size_t total = kTrailerBodyBytes + framing;
  if (patch.size() < total ||
      std::memcmp(patch.data() + patch.size() - 8, kTrailerMagic, 8) != 0)
    return {patch, std::nullopt};
  const uint8_t* start = patch.data() + patch.size() - total;
  if (algo == Algorithm::kZstd && (load_le32(start) != kTrailerSkippableMagic ||
                                   load_le32(start + 4) != kTrailerBodyBytes))
    return {patch, std::nullopt};
  const uint8_t* body = start + framing;
  Trailer t;
  t.old_size = load_le64(body);
  t.new_size = load_le64(body + 8);
  std::memcpy(t.old_sha256.data(), body + 16, 32);
  std::memcpy(t.new_sha256.data(), body + 48, 32);
  return {patch.first(patch.size() - total), t};
}

}  // namespace ota::delta
