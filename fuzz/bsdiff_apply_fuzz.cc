// libFuzzer target: the bsdiff decoder must reject or decode any input without a crash,
// a leak, undefined behaviour, or output beyond the limit.

#include "delta/bsdiff.h"
#include "input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ota::fuzz::Input in;
  if (!ota::fuzz::split(data, size, in)) return 0;
  ota::fuzz::SinkWriter out;
  auto r = ota::delta::bsdiff_apply(in.old_data, in.patch, out, ota::fuzz::kLimits);
  if (r && !(*r <= ota::fuzz::kLimits.max_output_bytes)) __builtin_trap();
  if (!r && r.error().message.empty()) __builtin_trap();
  return 0;
}
