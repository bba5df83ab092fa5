// Branch conversion for x86 code (the E8/E9 transform of xz's BCJ filter, simplified):
// a CALL/JMP rel32 displacement is rewritten as an absolute target, so a call to the
// same function encodes to the same bytes wherever the call moved. Applied to both
// source and target before diffing; the decoder undoes it on the output.
// Byte-exact definition: docs/delta.md, "Branch conversion".
#pragma once

#include <cstdint>

#include "core/bytes.h"

namespace ota::delta {

enum class BranchFilter : uint8_t {
  kNone = 0,
  kX86 = 1,  // E8/E9 rel32 with a displacement within ±16 MiB
};

// Converts data[0..size) in place, as if it started at file offset `base`. Returns how
// many leading bytes are final: an opcode within 4 bytes of the end waits for its
// operand (the caller passes those bytes again, with more, at the new base). With
// `at_end`, everything is final: a trailing opcode without a full operand is left as is.
size_t x86_branch_encode(uint8_t* data, size_t size, uint64_t base, bool at_end);
size_t x86_branch_decode(uint8_t* data, size_t size, uint64_t base, bool at_end);

}  // namespace ota::delta
