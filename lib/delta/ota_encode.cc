// The ota container's encoder: bsdiff's scan (bsdiff_scan.cc) with LZMA2-coded
// streams and LEB128 control entries, tried with several match gains and branch
// filters; the smallest patch wins.
#include <lzma.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "delta/bsdiff_scan.h"
#include "delta/ota_patch.h"
#include "delta/anchored_scan.h"

namespace ota::delta {
namespace {

using detail::PipelinedStreams;

// LZMA2 settings per stream, measured on executables (docs/delta.md): no position
// bits (nothing is aligned), and the most literal context the diff stream can get
// (its nonzero bytes come in short runs whose bytes predict each other).
struct LzmaTuning {
  uint32_t lc, lp, pb;
};
constexpr LzmaTuning kCtrlTuning{3, 0, 0};
constexpr LzmaTuning kDiffTuning{4, 0, 0};
constexpr LzmaTuning kExtraTuning{3, 0, 0};

// One raw LZMA2 stream (no .xz container: the header carries the sizes and the
// dictionary, the target's SHA-256 the integrity). The encoder state (~10x the
// dictionary) exists only from the first byte to finish().
class Lzma2Coder final : public detail::StreamCoder {
 public:
  Lzma2Coder(uint32_t dict_bytes, LzmaTuning tuning, uint32_t preset)
      : dict_(dict_bytes), tuning_(tuning), preset_(preset) {}
  ~Lzma2Coder() override { lzma_end(&strm_); }
  Lzma2Coder(const Lzma2Coder&) = delete;
  Lzma2Coder& operator=(const Lzma2Coder&) = delete;

  bool write(const uint8_t* data, size_t size) override {
    if (!start()) return false;
    return run(data, size, LZMA_RUN);
  }
  bool finish() override {
    if (!start()) return false;
    const bool ok = run(nullptr, 0, LZMA_FINISH);
    lzma_end(&strm_);
    strm_ = LZMA_STREAM_INIT;
    out_.resize(used_);
    out_.shrink_to_fit();
    return ok;
  }
  const Bytes& bytes() const override { return out_; }

 private:
  bool start() {
    if (started_) return !failed_;
    started_ = true;
    lzma_options_lzma opts;
    if (lzma_lzma_preset(&opts, preset_)) return !(failed_ = true);
    opts.dict_size = dict_;
    opts.lc = tuning_.lc;
    opts.lp = tuning_.lp;
    opts.pb = tuning_.pb;
    const lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opts}, {LZMA_VLI_UNKNOWN, nullptr}};
    failed_ = lzma_raw_encoder(&strm_, filters) != LZMA_OK;
    return !failed_;
  }
  bool run(const uint8_t* data, size_t size, lzma_action action) {
    strm_.next_in = data;
    strm_.avail_in = size;
    for (;;) {
      if (out_.size() - used_ < 64 * 1024) out_.resize(std::max<size_t>(out_.size() * 2, 256 * 1024));
      strm_.next_out = out_.data() + used_;
      strm_.avail_out = out_.size() - used_;
      const lzma_ret rc = lzma_code(&strm_, action);
      used_ = out_.size() - strm_.avail_out;
      if (action == LZMA_FINISH && rc == LZMA_STREAM_END) return true;
      if (rc != LZMA_OK) return !(failed_ = true);
      if (action == LZMA_RUN && strm_.avail_in == 0) return true;
    }
  }

  uint32_t dict_;
  LzmaTuning tuning_;
  uint32_t preset_;
  lzma_stream strm_ = LZMA_STREAM_INIT;
  Bytes out_;
  size_t used_ = 0;
  bool started_ = false, failed_ = false;
};

// The dictionary covers the whole target when it can (no stream is longer), within
// 256 KiB..16 MiB: decoder memory stays small for small firmware.
uint32_t dictionary_for(uint64_t new_size) {
  uint32_t dict = uint32_t(256) << 10;
  while (dict < new_size && dict < (uint32_t(16) << 20)) dict <<= 1;
  return dict;
}

void append_leb128(PipelinedStreams& streams, uint64_t v) {
  uint8_t digits[10];
  size_t n = 0;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    digits[n++] = uint8_t(b | (v ? 0x80 : 0));
  } while (v);
  streams.append(PipelinedStreams::kCtrl, digits, n);
}

// Firmware-sized inputs get xz's strongest setting; large inputs a faster one, whose
// encoder also needs far less memory (docs/delta.md, "Large images").
constexpr int64_t kOtaMaxMatch = int64_t(16) << 20;
constexpr uint32_t kBestPreset = 9 | LZMA_PRESET_EXTREME;
constexpr uint32_t kLargePreset = 6;

class OtaSink final : public detail::ScanSink {
 public:
  OtaSink(uint32_t dict, uint32_t preset, bool worker_per_stream = false)
      : dict_(dict),
        streams_(std::make_unique<Lzma2Coder>(dict, kCtrlTuning, preset),
                 std::make_unique<Lzma2Coder>(dict, kDiffTuning, preset),
                 std::make_unique<Lzma2Coder>(dict, kExtraTuning, preset), worker_per_stream) {}
  uint8_t* extend_diff(size_t n) override { return streams_.extend(PipelinedStreams::kDiff, n); }
  void append_extra(const uint8_t* data, size_t n) override {
    streams_.append(PipelinedStreams::kExtra, data, n);
  }
  void control(int64_t copy, int64_t extra, int64_t seek) override {
    append_leb128(streams_, uint64_t(copy));
    append_leb128(streams_, uint64_t(extra));
    append_leb128(streams_, (uint64_t(seek) << 1) ^ uint64_t(seek >> 63));  // zigzag
  }

  Result<Bytes> finish(OtaHeader header) {
    if (!streams_.finish()) return Error{Errc::io, "LZMA2 compression failed (out of memory?)"};
    OtaStreamInfo* infos[3] = {&header.ctrl, &header.diff, &header.extra};
    const PipelinedStreams::Stream ids[3] = {PipelinedStreams::kCtrl, PipelinedStreams::kDiff,
                                             PipelinedStreams::kExtra};
    size_t total = kOtaHeaderBytes;
    for (int i = 0; i < 3; ++i) {
      infos[i]->coded_bytes = streams_.bytes(ids[i]).size();
      infos[i]->raw_bytes = streams_.raw_size(ids[i]);
      infos[i]->dict_bytes = dict_;
      total += streams_.bytes(ids[i]).size();
    }
    Bytes patch(kOtaHeaderBytes);
    store_ota_header(header, patch.data());
    patch.reserve(total);
    for (auto id : ids) patch.insert(patch.end(), streams_.bytes(id).begin(), streams_.bytes(id).end());
    return patch;
  }

 private:
  uint32_t dict_;
  PipelinedStreams streams_;
};

// A filtered copy of `data` (or none, for kNone).
Bytes filtered(ByteView data, BranchFilter filter) {
  Bytes out(data.begin(), data.end());
  if (filter == BranchFilter::kX86) x86_branch_encode(out.data(), out.size(), 0, true);
  return out;
}

struct Attempt {
  Result<Bytes> patch = Error{Errc::io, "not run"};
  int gain = 0;
  BranchFilter filter = BranchFilter::kNone;
};

// Every gain over one filter's suffix array.
std::vector<Attempt> run_filter(ByteView old_data, ByteView new_data, BranchFilter filter,
                                const std::vector<int>& gains, const OtaHeader& header,
                                const ProgressFn& progress) {
  Bytes old_copy, new_copy;
  if (filter != BranchFilter::kNone) {
    old_copy = filtered(old_data, filter);
    new_copy = filtered(new_data, filter);
    old_data = old_copy;
    new_data = new_copy;
  }
  std::vector<Attempt> attempts;
  auto index = detail::SourceIndex::build(old_data);
  if (!index) {
    attempts.push_back(Attempt{std::move(index).error(), 0, filter});
    return attempts;
  }
  OtaHeader h = header;
  h.filter = filter;
  for (size_t i = 0; i < gains.size(); ++i) {
    OtaSink sink(dictionary_for(new_data.size()), kBestPreset);
    // Not bsdiff 4.3's exact scan: one-byte runs (0xFF padding) are matched in long steps.
    detail::bsdiff_scan(**index, old_data, new_data, gains[i], sink, i == 0 ? progress : ProgressFn(),
                        kOtaMaxMatch);
    attempts.push_back(Attempt{sink.finish(h), gains[i], filter});
  }
  return attempts;
}

}  // namespace

Result<OtaPatch> ota_encode(ByteView old_data, ByteView new_data, const OtaParams& params,
                            const ProgressFn& progress) {
  if (params.match_gains.empty() || params.filters.empty())
    return Error{Errc::invalid_argument, "no ota match gain or filter to try"};
  OtaHeader header;
  header.old_size = old_data.size();
  header.new_size = new_data.size();
  auto old_digest = std::async(std::launch::async, [&] { return crypto::sha256(old_data); });
  header.new_sha256 = crypto::sha256(new_data);
  header.old_sha256 = old_digest.get();

  if (std::max(old_data.size(), new_data.size()) >= detail::kAnchoredThresholdBytes) {
    // One variant: the first gain, no filter, anchored matching in bounded memory.
    detail::AnchoredParams seg;
    seg.match_gain = params.match_gains[0];
    OtaSink sink(uint32_t(8) << 20, kLargePreset, /*worker_per_stream=*/true);
    OTA_TRY(detail::anchored_scan(old_data, new_data, seg, sink, progress));
    auto patch = sink.finish(header);
    if (!patch) return std::move(patch).error();
    return OtaPatch{std::move(*patch), seg.match_gain, BranchFilter::kNone};
  }

  // Filters run concurrently (params.threads at a time), each over its own suffix
  // array; the choice below is independent of timing.
  std::vector<Attempt> all;
  const size_t threads = size_t(std::max(1, params.threads));
  for (size_t first = 0; first < params.filters.size(); first += threads) {
    std::vector<std::future<std::vector<Attempt>>> jobs;
    const size_t last = std::min(params.filters.size(), first + threads);
    for (size_t f = first + 1; f < last; ++f)
      jobs.push_back(std::async(std::launch::async, run_filter, old_data, new_data, params.filters[f],
                                std::cref(params.match_gains), std::cref(header), ProgressFn()));
    auto mine = run_filter(old_data, new_data, params.filters[first], params.match_gains, header,
                           first == 0 ? progress : ProgressFn());
    for (auto& a : mine) all.push_back(std::move(a));
    for (auto& j : jobs)
      for (auto& a : j.get()) all.push_back(std::move(a));
  }
  size_t best = all.size();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!all[i].patch) return std::move(all[i].patch).error();
    if (best == all.size() || all[i].patch->size() < all[best].patch->size()) best = i;
  }
  return OtaPatch{std::move(*all[best].patch), all[best].gain, all[best].filter};
}

}  // namespace ota::delta
