// The ota verification trailer: source and target sizes and SHA-256 digests appended
// to a BSDIFF40 patch or carried in a zstd skippable frame, where bspatch and zstd
// ignore them. With it, apply refuses a wrong source before writing anything and
// proves the output. Byte layout: docs/formats/delta-trailer.md.
#pragma once

#include <optional>

#include "core/bytes.h"
#include "crypto/sha256.h"
#include "delta/algorithm.h"

namespace ota::delta {

inline constexpr char kTrailerMagic[8] = {'O', 'T', 'A', 'V', 'R', 'F', 'Y', '1'};
inline constexpr size_t kTrailerBodyBytes = 88;
inline constexpr uint32_t kTrailerSkippableMagic = 0x184D2A5E;

struct Trailer {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  crypto::Sha256Digest old_sha256{};
  crypto::Sha256Digest new_sha256{};
};

// Appends the trailer in the framing `algo` requires. VCDIFF carries it as text in the
// file header's application header instead (an encoder output with none yet); the ota
// container's own header holds the same facts, so nothing is added to it.
void append_trailer(Bytes& patch, Algorithm algo, const Trailer& trailer);

struct SplitPatch {
  ByteView payload;                // the codec's bytes, without the trailer
  std::optional<Trailer> trailer;  // absent in patches from other tools; an ota header's facts
};
SplitPatch split_trailer(ByteView patch, Algorithm algo);

// The most bytes the VCDIFF application-header trailer adds.
size_t vcdiff_trailer_bytes();

}  // namespace ota::delta
