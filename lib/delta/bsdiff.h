// BSDIFF40 encoder and decoder, compatible with bsdiff/bspatch 4.x (Debian's bsdiff package).
#pragma once

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"
#include "io/storage.h"

namespace ota::delta {

// Encodes with bsdiff 4.3's matching over a libdivsufsort suffix array, so the
// output equals Debian bsdiff's for the same inputs. Memory: old + new + 4*(old+1)
// bytes for the suffix array, plus the compressed streams.
Result<Bytes> bsdiff_encode(ByteView old_data, ByteView new_data, const ProgressFn& progress = {});

// Decodes a BSDIFF40 payload (the patch without any ota trailer) against `old_data`,
// streaming the output to `out` in bounded chunks. Every control entry is checked
// against the declared new size and the source bounds before it is used.
// Returns the number of bytes written (always the header's new size).
Result<uint64_t> bsdiff_apply(ByteView old_data, ByteView payload, io::Writer& out,
                              const ApplyLimits& limits, const ProgressFn& progress = {});

}  // namespace ota::delta
