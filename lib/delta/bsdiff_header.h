// The BSDIFF40 header and its sign-magnitude 64-bit integers (bsdiff 4.x, Colin Percival).
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::delta {

inline constexpr char kBsdiffMagic[8] = {'B', 'S', 'D', 'I', 'F', 'F', '4', '0'};
inline constexpr size_t kBsdiffHeaderBytes = 32;

// Sign-magnitude little-endian: bit 63 is the sign, bits 0..62 the magnitude.
void store_offt(uint8_t out[8], int64_t value);
int64_t load_offt(const uint8_t in[8]);

struct BsdiffHeader {
  uint64_t ctrl_bytes;   // bzip2-coded control stream, starting at offset 32
  uint64_t diff_bytes;   // bzip2-coded diff stream, right after it
  uint64_t extra_bytes;  // bzip2-coded extra stream: the rest of the payload
  uint64_t new_size;     // size of the file the patch produces
};

// Validates the header against the payload size (the patch without any trailer).
Result<BsdiffHeader> parse_bsdiff_header(ByteView payload);

}  // namespace ota::delta
