// libFuzzer target: format detection, the ota trailer, and both decoders as
// `ota-delta apply` drives them.

#include "delta/operations.h"
#include "input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ota::fuzz::Input in;
  if (!ota::fuzz::split(data, size, in)) return 0;
  ota::fuzz::SinkWriter out;
  auto r = ota::delta::apply_patch_bytes(in.old_data, in.patch, out, ota::fuzz::kLimits);
  if (r && !(r->output_size <= ota::fuzz::kLimits.max_output_bytes)) __builtin_trap();
  if (!r && r.error().message.empty()) __builtin_trap();
  return 0;
}
