// BSDIFF40 output of bsdiff's scan (bsdiff_scan.cc): bzip2 streams and 24-byte
// sign-magnitude control entries, byte-identical to Debian's bsdiff 4.3.
#include <bzlib.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "delta/bsdiff.h"
#include "delta/bsdiff_header.h"
#include "delta/bsdiff_scan.h"
#include "delta/anchored_scan.h"

namespace ota::delta {
namespace {

// One bzip2 stream fed incrementally; settings match bsdiff's BZ2_bzWriteOpen(.., 9, 0, 0).
// The compressor's ~7.5 MB of block-sorting state exists only from the first byte
// to finish(), so short streams that are compressed one after another never hold
// it at the same time.
class Bzip2Coder final : public detail::StreamCoder {
 public:
  Bzip2Coder() = default;
  ~Bzip2Coder() override { end(); }
  Bzip2Coder(const Bzip2Coder&) = delete;
  Bzip2Coder& operator=(const Bzip2Coder&) = delete;

  bool write(const uint8_t* data, size_t size) override {
    // bzip2 counts in unsigned int: feed at most 1 GiB per call.
    while (size > 0) {
      size_t chunk = std::min<size_t>(size, size_t(1) << 30);
      if (!run(data, chunk, BZ_RUN)) return false;
      data += chunk;
      size -= chunk;
    }
    return true;
  }
  bool finish() override {
    const bool ok = run(nullptr, 0, BZ_FINISH);
    end();
    return ok;
  }
  const Bytes& bytes() const override { return out_; }

 private:
  bool start() {
    if (state_ == State::kIdle) {
      std::memset(&strm_, 0, sizeof strm_);
      state_ = BZ2_bzCompressInit(&strm_, 9, 0, 0) == BZ_OK ? State::kRunning : State::kFailed;
    }
    return state_ == State::kRunning;
  }
  void end() {
    if (state_ == State::kRunning) BZ2_bzCompressEnd(&strm_);
    if (state_ != State::kFailed) state_ = State::kEnded;
  }
  bool run(const uint8_t* data, size_t size, int action) {
    if (!start()) return false;
    strm_.next_in = const_cast<char*>(reinterpret_cast<const char*>(data));
    strm_.avail_in = unsigned(size);
    for (;;) {
      if (out_.size() - used_ < 64 * 1024) out_.resize(std::max<size_t>(out_.size() * 2, 256 * 1024));
      strm_.next_out = reinterpret_cast<char*>(out_.data() + used_);
      strm_.avail_out = unsigned(std::min<size_t>(out_.size() - used_, size_t(1) << 30));
      unsigned before = strm_.avail_out;
      int rc = BZ2_bzCompress(&strm_, action);
      used_ += before - strm_.avail_out;
      if (action == BZ_RUN) {
        if (rc != BZ_RUN_OK) return fail();
        if (strm_.avail_in == 0) return true;
      } else {
        if (rc == BZ_STREAM_END) {
          out_.resize(used_);
          out_.shrink_to_fit();
          return true;
        }
        if (rc != BZ_FINISH_OK) return fail();
      }
    }
  }
  bool fail() {
    end();
    state_ = State::kFailed;
    return false;
  }

  enum class State { kIdle, kRunning, kEnded, kFailed };
  bz_stream strm_;
  Bytes out_;
  size_t used_ = 0;
  State state_ = State::kIdle;
};

using detail::PipelinedStreams;

class BsdiffSink final : public detail::ScanSink {
 public:
  BsdiffSink()
      : streams_(std::make_unique<Bzip2Coder>(), std::make_unique<Bzip2Coder>(),
                 std::make_unique<Bzip2Coder>()) {}
  uint8_t* extend_diff(size_t n) override { return streams_.extend(PipelinedStreams::kDiff, n); }
  void append_extra(const uint8_t* data, size_t n) override {
    streams_.append(PipelinedStreams::kExtra, data, n);
  }
  void control(int64_t copy, int64_t extra, int64_t seek) override {
    uint8_t entry[24];
    store_offt(entry, copy);
    store_offt(entry + 8, extra);
    store_offt(entry + 16, seek);
    streams_.append(PipelinedStreams::kCtrl, entry, sizeof entry);
  }

  Result<Bytes> finish(int64_t new_size) {
    if (!streams_.finish()) return Error{Errc::io, "bzip2 compression failed (out of memory?)"};
    const Bytes& ctrl = streams_.bytes(PipelinedStreams::kCtrl);
    const Bytes& diff = streams_.bytes(PipelinedStreams::kDiff);
    const Bytes& extra = streams_.bytes(PipelinedStreams::kExtra);
    Bytes patch(kBsdiffHeaderBytes);
    std::memcpy(patch.data(), kBsdiffMagic, 8);
    store_offt(patch.data() + 8, int64_t(ctrl.size()));
    store_offt(patch.data() + 16, int64_t(diff.size()));
    store_offt(patch.data() + 24, new_size);
    patch.reserve(patch.size() + ctrl.size() + diff.size() + extra.size());
    for (const Bytes* stream : {&ctrl, &diff, &extra})
      patch.insert(patch.end(), stream->begin(), stream->end());
    return patch;
  }

 private:
  PipelinedStreams streams_;
};

Result<Bytes> scan_and_code(const detail::SourceIndex& index, ByteView old_view,
                            ByteView new_view, int64_t match_gain, const ProgressFn& progress) {
  BsdiffSink sink;
  detail::bsdiff_scan(index, old_view, new_view, match_gain, sink, progress);
  return sink.finish(int64_t(new_view.size()));
}

}  // namespace

Result<BsdiffPatch> bsdiff_encode(ByteView old_view, ByteView new_view, const BsdiffParams& params,
                                  const ProgressFn& progress) {
  if (params.match_gains.empty()) return Error{Errc::invalid_argument, "no bsdiff match gain"};
  if (std::max(old_view.size(), new_view.size()) >= detail::kAnchoredThresholdBytes) {
    // Large images: anchored matching in bounded memory (not Debian-identical).
    detail::AnchoredParams seg;
    seg.match_gain = params.match_gains[0];
    BsdiffSink sink;
    OTA_TRY(detail::anchored_scan(old_view, new_view, seg, sink, progress));
    auto patch = sink.finish(int64_t(new_view.size()));
    if (!patch) return std::move(patch).error();
    return BsdiffPatch{std::move(*patch), seg.match_gain};
  }
  auto built = detail::SourceIndex::build(old_view);
  if (!built) return std::move(built).error();
  const detail::SourceIndex& index = **built;

  // Several gains: the scans share the suffix array and run concurrently; the
  // smallest output wins, ties to the earlier gain, so the result is deterministic.
  std::vector<std::future<Result<Bytes>>> others;
  for (size_t i = 1; i < params.match_gains.size(); ++i)
    others.push_back(std::async(std::launch::async, [&, i] {
      return scan_and_code(index, old_view, new_view, params.match_gains[i], {});
    }));
  std::vector<Result<Bytes>> results;
  results.push_back(scan_and_code(index, old_view, new_view, params.match_gains[0], progress));
  for (auto& f : others) results.push_back(f.get());
  size_t best = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i]) return std::move(results[i]).error();
    if (results[i]->size() < results[best]->size()) best = i;
  }
  return BsdiffPatch{std::move(*results[best]), params.match_gains[best]};
}

}  // namespace ota::delta
