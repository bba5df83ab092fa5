// zstd "patch-from" deltas: one standard zstd frame compressed with the old file as
// its reference prefix, interoperable with `zstd --patch-from=OLD` both ways.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "io/storage.h"

namespace ota::delta {

inline constexpr uint32_t kZstdFrameMagic = 0xFD2FB528;
inline constexpr uint32_t kZstdSkippableMagic = 0x184D2A50;  // low 4 bits free
inline bool is_zstd_magic(uint32_t magic) {
  return magic == kZstdFrameMagic || (magic & 0xFFFFFFF0u) == kZstdSkippableMagic;
}

inline constexpr int kDefaultZstdLevel = 19;

// What the frame header says, for `ota-delta info` and the apply-time limits.
struct ZstdPatchInfo {
  std::optional<uint64_t> content_size;  // absent when the writer did not know it
  uint64_t window_size = 0;
  bool has_checksum = false;
  uint64_t frame_offset = 0;
  uint64_t frame_bytes = 0;
  uint32_t skippable_frames = 0;  // ignored metadata frames around the data frame
};

// Walks the frames: exactly one zstd data frame, any number of skippable frames.
Result<ZstdPatchInfo> inspect_zstd_patch(ByteView payload);

// Level 1..22. Window and long-distance matching are chosen from the sizes the way
// `zstd --patch-from` does, so the zstd CLI decodes the result.
Result<Bytes> zstd_encode(ByteView old_data, ByteView new_data, int level,
                          const ProgressFn& progress = {});

// Streams the decoded frame to `out`; rejects windows and sizes that the source and
// limits do not justify, and checks the frame's content checksum when present.
Result<uint64_t> zstd_apply(ByteView old_data, ByteView payload, io::Writer& out,
                            const ApplyLimits& limits, const ProgressFn& progress = {});

}  // namespace ota::delta
