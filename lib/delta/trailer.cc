#include "delta/trailer.h"

#include <cstring>

namespace ota::delta {

void append_trailer(Bytes& patch, Algorithm algo, const Trailer& t) {
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
