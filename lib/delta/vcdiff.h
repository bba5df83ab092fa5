// VCDIFF (RFC 3284) deltas, interoperable with xdelta3 both ways: `xdelta3 -d -s OLD`
// decodes what vcdiff_encode writes, and vcdiff_apply decodes what `xdelta3 -e -s OLD`
// writes with its defaults (LZMA secondary compression, application header, Adler-32
// window checksums), with -9, -S none; xdelta3's own DJW/FGK secondary coders are refused
// with a message that names them (docs/formats/vcdiff.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "io/storage.h"

namespace ota::delta {

// "VCD" with the high bit set on each byte, then version 0 (RFC 3284 section 4.1).
inline constexpr uint8_t kVcdiffMagic[4] = {0xD6, 0xC3, 0xC4, 0x00};
inline bool is_vcdiff_magic(ByteView b) {
  return b.size() >= 4 && b[0] == 0xD6 && b[1] == 0xC3 && b[2] == 0xC4 && b[3] == 0x00;
}

// What the file header and windows say, for `ota-delta info` (no decoding of sections).
struct VcdiffInfo {
  std::optional<std::string> secondary;      // "lzma", "djw", "fgk" when VCD_DECOMPRESS is set
  bool custom_code_table = false;            // VCD_CODETABLE
  std::optional<Bytes> app_header;           // VCD_APPHEADER (xdelta3: "target//source/")
  uint64_t windows = 0;
  uint64_t target_size = 0;                  // sum of the windows' target lengths
  bool adler32 = false;                      // every window carries xdelta3's checksum
};
Result<VcdiffInfo> inspect_vcdiff(ByteView payload);

struct VcdiffParams {
  uint64_t window_size = uint64_t(8) << 20;  // target bytes per window
  bool adler32 = true;                       // write xdelta3's VCD_ADLER32 checksum per window
};

// A standard VCDIFF stream with the default code table and no secondary compression.
Result<Bytes> vcdiff_encode(ByteView old_data, ByteView new_data, const VcdiffParams& params = {},
                            const ProgressFn& progress = {});

// Streams the target to `out`, window by window. Every instruction, address, size and
// section length is bounds-checked against the source, the window and `limits`; a window
// checksum that does not match is Errc::corrupt.
Result<uint64_t> vcdiff_apply(ByteView old_data, ByteView payload, io::Writer& out, const ApplyLimits& limits,
                              const ProgressFn& progress = {});

}  // namespace ota::delta
