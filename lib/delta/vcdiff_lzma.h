// xdelta3's LZMA secondary compression (id 2), decoding side. Included by
// vcdiff_apply.cc only.
//
// xdelta3 (xdelta3-lzma.h, xdelta3-second.h) keeps one liblzma .xz stream encoder per
// section kind (data, inst, addr) for the whole file: LZMA2, check NONE (3.0.11 writes
// preset 0 at every level). A compressed section is the varint of its decompressed size
// followed by what that encoder emitted for the section's bytes and an LZMA_SYNC_FLUSH.
// Sections under xdelta3's SECONDARY_MIN_INPUT (10 bytes) stay uncompressed and do not
// touch the stream. The stream is never finished, so the first compressed section of
// each kind starts with the 12-byte .xz stream header and a block header, and later
// windows continue the same LZMA2 block: one decoder per kind persists across windows.
#pragma once

#include <lzma.h>

#include <algorithm>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/vcdiff_internal.h"

namespace ota::delta::vcdiff {

// Decoder memory per section kind. xdelta3 3.0.11 writes a 256 KiB LZMA2 dictionary
// (preset 0) at every -N level; this admits up to xz's largest preset (-9, 64 MiB), and
// a stream asking for more is refused before its dictionary is allocated.
inline constexpr uint64_t kLzmaMemlimitBytes = uint64_t(128) << 20;

class LzmaSectionDecoder {
 public:
  LzmaSectionDecoder() = default;
  ~LzmaSectionDecoder() { lzma_end(&strm_); }
  LzmaSectionDecoder(const LzmaSectionDecoder&) = delete;
  LzmaSectionDecoder& operator=(const LzmaSectionDecoder&) = delete;

  // Decodes one compressed section into `out`. It must declare 1..max_size bytes,
  // decode to exactly that many, and use all of its input; `where` names it in errors.
  // The output buffer grows with what is actually decoded, not with the declared size.
  Result<void> decode(ByteView section, uint64_t max_size, Bytes& out, const std::string& where) {
    ByteCursor c(section);
    uint64_t size = 0;
    if (!c.varint(size))
      return Error{Errc::corrupt, where + ": the decompressed size is truncated or over 64 bits"};
    if (size == 0 || size > max_size)
      return Error{Errc::corrupt, where + " declares " + std::to_string(size) +
                                      " decompressed bytes; a section of this window holds 1 to " +
                                      std::to_string(max_size)};
    if (!started_) {
      if (lzma_stream_decoder(&strm_, kLzmaMemlimitBytes, 0) != LZMA_OK)
        return Error{Errc::io, where + ": the LZMA decoder could not start (out of memory?)"};
      started_ = true;
    }
    strm_.next_in = section.data() + c.pos();
    strm_.avail_in = c.left();
    // One byte of room beyond the declared size shows a section that decodes to more.
    const uint64_t cap = size + 1;
    size_t produced = 0;
    out.clear();
    for (;;) {
      if (produced == out.size())
        out.resize(size_t(std::min<uint64_t>(cap, std::max<uint64_t>(2 * out.size(), 64 << 10))));
      strm_.next_out = out.data() + produced;
      strm_.avail_out = out.size() - produced;
      const lzma_ret rc = lzma_code(&strm_, LZMA_RUN);
      produced = out.size() - strm_.avail_out;
      if (rc == LZMA_MEMLIMIT_ERROR)
        return Error{Errc::too_large, where + ": the LZMA stream needs more than " +
                                          std::to_string(kLzmaMemlimitBytes >> 20) +
                                          " MiB of decoder memory; xdelta3 never asks for that"};
      if (rc == LZMA_MEM_ERROR) return Error{Errc::io, where + ": out of memory decoding LZMA"};
      if (rc == LZMA_STREAM_END)
        return Error{Errc::corrupt, where + ": the LZMA stream ends, which xdelta3's never does"};
      if (rc != LZMA_OK)
        return Error{Errc::corrupt, where + ": not valid LZMA data (liblzma error " +
                                        std::to_string(int(rc)) + ")"};
      if (produced > size)
        return Error{Errc::corrupt, where + " decodes to more than its declared " +
                                        std::to_string(size) + " bytes"};
      if (strm_.avail_in == 0 && produced < out.size()) break;
    }
    if (produced != size)
      return Error{Errc::corrupt, where + " decodes to " + std::to_string(produced) +
                                      " bytes, not its declared " + std::to_string(size) +
                                      " (truncated?)"};
    out.resize(produced);
    return {};
  }

 private:
  lzma_stream strm_ = LZMA_STREAM_INIT;
  bool started_ = false;
};

}  // namespace ota::delta::vcdiff
