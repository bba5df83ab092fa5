#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameHeader
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/large_buffer.h"
#include "delta/zstd_delta.h"

namespace ota::delta {
namespace {

struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

constexpr uint64_t kMinWindowCap = uint64_t(128) << 20;  // zstd's own default limit (2^27)
// Outputs up to this size are decoded in one call (memory: the output itself).
constexpr uint64_t kOneShotMaxBytes = uint64_t(256) << 20;

unsigned ceil_log2(uint64_t v) { return v <= 1 ? 0 : 64u - unsigned(__builtin_clzll(v - 1)); }

}  // namespace

Result<ZstdPatchInfo> inspect_zstd_patch(ByteView payload) {
  ZstdPatchInfo info;
  bool have_frame = false;
  uint64_t off = 0;
  while (off < payload.size()) {
    const uint64_t remain = payload.size() - off;
    const uint8_t* p = payload.data() + off;
    const uint32_t magic = remain >= 4 ? load_le32(p) : 0;
    if (remain >= 4 && (magic & 0xFFFFFFF0u) == kZstdSkippableMagic) {
      if (remain < 8 || load_le32(p + 4) > remain - 8)
        return Error{Errc::corrupt, "the skippable zstd frame at offset " + std::to_string(off) +
                                        " is truncated"};
      off += 8 + uint64_t(load_le32(p + 4));
      ++info.skippable_frames;
      continue;
    }
    if (remain < 4 || magic != kZstdFrameMagic)
      return Error{Errc::corrupt, "unexpected bytes at offset " + std::to_string(off) +
                                      (have_frame ? " after the zstd frame" : "") +
                                      ": not a zstd frame"};
    if (have_frame)
      return Error{Errc::unsupported,
                   "the patch holds more than one zstd frame; a patch-from delta is one frame"};
    const size_t n = ZSTD_findFrameCompressedSize(p, size_t(remain));
    if (ZSTD_isError(n))
      return Error{Errc::corrupt, std::string("the zstd frame is truncated or corrupt (") +
                                      ZSTD_getErrorName(n) + ")"};
    ZSTD_frameHeader fh{};
    if (ZSTD_getFrameHeader(&fh, p, n) != 0)
      return Error{Errc::corrupt, "the zstd frame header is truncated"};
    if (fh.dictID != 0)
      return Error{Errc::unsupported,
                   "the zstd frame needs trained dictionary " + std::to_string(fh.dictID) +
                       "; a patch-from delta references the old file instead"};
    if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN) info.content_size = fh.frameContentSize;
    info.window_size = fh.windowSize;
    info.has_checksum = fh.checksumFlag != 0;
    info.frame_offset = off;
    info.frame_bytes = n;
    have_frame = true;
    off += n;
  }
  if (!have_frame) return Error{Errc::corrupt, "the patch holds no zstd data frame"};
  return info;
}

Result<uint64_t> zstd_apply(ByteView old_data, ByteView payload, io::Writer& out,
                            const ApplyLimits& limits, const ProgressFn& progress) {
  auto info = inspect_zstd_patch(payload);
  if (!info) return std::move(info).error();
  if (info->content_size && *info->content_size > limits.max_output_bytes)
    return Error{Errc::too_large, "the patch declares a " + std::to_string(*info->content_size) +
                                      "-byte output, over the " +
                                      std::to_string(limits.max_output_bytes) +
                                      "-byte limit; raise --max-output if this is intended"};
  // The decoder allocates the frame's window up front: allow what the source and
  // the output can justify, never the 2 GiB a hostile header may ask for.
  const uint64_t expected_out = info->content_size.value_or(old_data.size());
  const uint64_t window_cap =
      std::max(kMinWindowCap, 2 * (uint64_t(old_data.size()) + expected_out));
  const unsigned window_log_max = std::min<unsigned>(ZSTD_WINDOWLOG_MAX, ceil_log2(window_cap));
  if (info->window_size > (uint64_t(1) << window_log_max))
    return Error{Errc::too_large, "the zstd frame asks for a " +
                                      std::to_string(info->window_size) +
                                      "-byte window, more than this source and output justify"};

  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return Error{Errc::io, "out of memory creating a zstd context"};
  size_t rc = ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, int(window_log_max));
  if (!ZSTD_isError(rc)) rc = ZSTD_DCtx_refPrefix(dctx.get(), old_data.data(), old_data.size());
  if (ZSTD_isError(rc))
    return Error{Errc::io, std::string("zstd decoder setup: ") + ZSTD_getErrorName(rc)};
  auto decode_error = [](size_t code) {
    if (ZSTD_getErrorCode(code) == ZSTD_error_checksum_wrong)
      return Error{Errc::corrupt, "the output fails the zstd content checksum: the patch is "
                                  "corrupt, or OLD is not the file it was made from"};
    return Error{Errc::corrupt, std::string("zstd: ") + ZSTD_getErrorName(code) +
                                    ": the patch is corrupt, or OLD is not its source"};
  };
  const uint8_t* frame = payload.data() + info->frame_offset;

  // A declared size: decode in one call into uninitialised memory, then write
  // it out in one piece. Streaming would also hold a window of that size (a
  // single-segment frame's window is its content), allocated page by page, and
  // copy every byte once more.
  if (info->content_size && *info->content_size <= kOneShotMaxBytes) {
    const size_t size = size_t(*info->content_size);
    LargeBuffer buffer(size);
    if (size > 0 && !buffer.data()) return Error{Errc::io, "out of memory for the output"};
    auto* dst = static_cast<uint8_t*>(buffer.data());
    const size_t got = ZSTD_decompressDCtx(dctx.get(), dst, size, frame, size_t(info->frame_bytes));
    if (ZSTD_isError(got)) return decode_error(got);
    if (got != size)
      return Error{Errc::corrupt, "the zstd frame decoded to " + std::to_string(got) +
                                      " bytes, not the " + std::to_string(size) +
                                      " its header declares"};
    OTA_TRY(out.write({dst, size}));
    if (progress) progress(size, size);
    return uint64_t(size);
  }

  ZSTD_inBuffer in{frame, size_t(info->frame_bytes), 0};
  Bytes chunk(ZSTD_DStreamOutSize());
  uint64_t total = 0, next_report = 0;
  const uint64_t limit = info->content_size.value_or(limits.max_output_bytes);
  for (;;) {
    ZSTD_outBuffer ob{chunk.data(), chunk.size(), 0};
    const size_t left = ZSTD_decompressStream(dctx.get(), &ob, &in);
    if (ZSTD_isError(left)) return decode_error(left);
    total += ob.pos;
    if (total > limit)
      return Error{info->content_size ? Errc::corrupt : Errc::too_large,
                   "the zstd frame decodes to more than " + std::to_string(limit) + " bytes" +
                       (info->content_size ? " (its declared size)" : "; raise --max-output")};
    OTA_TRY(out.write({chunk.data(), ob.pos}));
    if (progress && total >= next_report) {
      progress(total, info->content_size.value_or(0));
      next_report = total + (uint64_t(1) << 22);
    }
    if (left == 0) break;
    if (in.pos == in.size && ob.pos < ob.size)
      return Error{Errc::corrupt, "the zstd frame is truncated"};
  }
  if (info->content_size && total != *info->content_size)
    return Error{Errc::corrupt, "the zstd frame decoded to " + std::to_string(total) +
                                    " bytes, not the " + std::to_string(*info->content_size) +
                                    " its header declares"};
  return total;
}

}  // namespace ota::delta
