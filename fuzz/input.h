// Fuzz input layout shared by the targets: [old length, 2 bytes LE][old][patch], so
// the fuzzer controls the source as well as the patch. Outputs are capped at 1 MiB.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "delta/algorithm.h"
#include "io/storage.h"

namespace ota::fuzz {

struct Input {
  ByteView old_data, patch;
};

inline bool split(const uint8_t* data, size_t size, Input& in) {
  if (size < 2) return false;
  size_t old_len = size_t(data[0]) | size_t(data[1]) << 8;
  if (old_len > size - 2) return false;
  in.old_data = {data + 2, old_len};
  in.patch = {data + 2 + old_len, size - 2 - old_len};
  return true;
}

inline constexpr delta::ApplyLimits kLimits{.max_output_bytes = 1 << 20};

// Discards output but touches it, so reads of uninitialised bytes are caught.
class SinkWriter final : public io::Writer {
 public:
  Result<void> write(ByteView data) override {
    for (uint8_t b : data) checksum_ += b;
    return {};
  }
  volatile uint64_t checksum_ = 0;
};

}  // namespace ota::fuzz
