// libFuzzer target: the ota container's decoder (header checks, three LZMA2 streams,
// control entries, the x86 branch filter), called directly.

#include "delta/ota_patch.h"
#include "input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ota::fuzz::Input in;
  if (!ota::fuzz::split(data, size, in)) return 0;
  ota::fuzz::SinkWriter out;
  auto r = ota::delta::ota_apply(in.old_data, in.patch, out, ota::fuzz::kLimits);
  if (r && *r > ota::fuzz::kLimits.max_output_bytes) __builtin_trap();
  if (!r && r.error().message.empty()) __builtin_trap();
  return 0;
}
