// libFuzzer target: the VCDIFF decoder (header and window parsing, the code table and
// address cache, overlapping copies, VCD_TARGET windows, xdelta3's LZMA sections and
// Adler-32 checks) must reject or decode any input without a crash, a leak, undefined
// behaviour, or output beyond the limit. Good seeds: tests/data/delta/vcdiff/*.vcdiff,
// each prefixed with the 2-byte length of its source (fuzz/input.h).

#include "delta/vcdiff.h"
#include "input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ota::fuzz::Input in;
  if (!ota::fuzz::split(data, size, in)) return 0;
  ota::fuzz::SinkWriter out;
  auto r = ota::delta::vcdiff_apply(in.old_data, in.patch, out, ota::fuzz::kLimits);
  if (r && !(*r <= ota::fuzz::kLimits.max_output_bytes)) __builtin_trap();
  if (!r && r.error().message.empty()) __builtin_trap();
  auto info = ota::delta::inspect_vcdiff(in.patch);
  if (r && !info) __builtin_trap();  // whatever decodes must also inspect
  if (r && info->target_size != *r) __builtin_trap();
  return 0;
}
