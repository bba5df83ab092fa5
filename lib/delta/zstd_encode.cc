#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getCParams, to mirror the CLI's --patch-from choice
#include <zstd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "delta/zstd_delta.h"

namespace ota::delta {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

unsigned high_bit(uint64_t v) { return v == 0 ? 0 : 63u - unsigned(__builtin_clzll(v)); }

Error zstd_error(size_t code, const char* what) {
  return Error{Errc::io, std::string("zstd ") + what + ": " + ZSTD_getErrorName(code)};
}

}  // namespace

Result<Bytes> zstd_encode(ByteView old_data, ByteView new_data, int level,
                          const ProgressFn& progress) {
  if (level < 1 || level > ZSTD_maxCLevel())
    return Error{Errc::invalid_argument, "zstd level " + std::to_string(level) +
                                             " is outside 1.." + std::to_string(ZSTD_maxCLevel())};
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Error{Errc::io, "out of memory creating a zstd context"};

  // As programs/fileio.c FIO_adjustParamsForPatchFromMode: a window that spans the
  // larger file, and long-distance matching once that outgrows the match finder.
  const uint64_t max_src = std::max<uint64_t>(old_data.size(), new_data.size());
  const unsigned file_window_log = high_bit(max_src) + 1;
  const unsigned window_log =
      std::clamp<unsigned>(file_window_log, ZSTD_WINDOWLOG_MIN, ZSTD_WINDOWLOG_MAX);
  const ZSTD_compressionParameters cp =
      ZSTD_getCParams(level, new_data.size(), old_data.size());
  const unsigned cycle_log = cp.chainLog - (cp.strategy >= ZSTD_btlazy2 ? 1u : 0u);
  const bool long_mode = file_window_log > cycle_log;

  size_t rc = 0;
  auto set = [&](ZSTD_cParameter p, int v) {
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx.get(), p, v);
  };
  set(ZSTD_c_compressionLevel, level);
  set(ZSTD_c_windowLog, int(window_log));
  set(ZSTD_c_enableLongDistanceMatching, long_mode ? 1 : 0);
  set(ZSTD_c_checksumFlag, 1);  // lets apply catch a wrong source at the end
  set(ZSTD_c_contentSizeFlag, 1);
  if (ZSTD_isError(rc)) return zstd_error(rc, "parameters");
  rc = ZSTD_CCtx_setPledgedSrcSize(cctx.get(), new_data.size());
  if (ZSTD_isError(rc)) return zstd_error(rc, "pledged size");
  rc = ZSTD_CCtx_refPrefix(cctx.get(), old_data.data(), old_data.size());
  if (ZSTD_isError(rc)) return zstd_error(rc, "reference prefix");

  Bytes out(ZSTD_compressBound(new_data.size()) / 4 + 4096);
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  constexpr size_t kStep = size_t(1) << 20;  // feed in steps so progress can be shown
  size_t fed = 0;
  for (;;) {
    const size_t step = std::min(kStep, new_data.size() - fed);
    const bool last = fed + step == new_data.size();
    ZSTD_inBuffer ib{new_data.data() + fed, step, 0};
    for (;;) {
      if (ob.size - ob.pos < ZSTD_CStreamOutSize()) {
        out.resize(out.size() * 2);
        ob.dst = out.data();
        ob.size = out.size();
      }
      size_t left = ZSTD_compressStream2(cctx.get(), &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(left)) return zstd_error(left, "compression");
      if (last ? left == 0 : ib.pos == ib.size) break;
    }
    fed += step;
    if (progress) progress(fed, new_data.size());
    if (last) break;
  }
  out.resize(ob.pos);
  return out;
}

}  // namespace ota::delta
