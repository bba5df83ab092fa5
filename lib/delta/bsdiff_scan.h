// bsdiff's matching, shared by the BSDIFF40 encoder (bzip2 streams) and the ota
// container's encoder (LZMA2 streams, varint control). Internal to lib/delta.
//
// The scan produces the classic three streams: control entries (copy, extra, seek),
// the diff bytes (new - old over each copy) and the extra bytes (literal new data).
// How they are coded is the sink's business.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <atomic>

#include "core/bytes.h"
#include "core/result.h"
#include "delta/algorithm.h"

namespace ota::delta::detail {

// Receives the scan's output in order. The diff bytes of one control entry arrive
// in slices of at most kSliceBytes, then its extra bytes, then the entry itself.
class ScanSink {
 public:
  static constexpr int64_t kSliceBytes = 64 << 10;
  virtual ~ScanSink() = default;
  virtual uint8_t* extend_diff(size_t n) = 0;  // room for n diff bytes, filled by the caller
  virtual void append_extra(const uint8_t* data, size_t n) = 0;
  virtual void control(int64_t copy, int64_t extra, int64_t seek) = 0;
};

// The suffix array of a source (libdivsufsort, 32-bit indices: 4 bytes per source
// byte) and the search cache over it. Built once, shared by concurrent scans.
class SourceIndex {
 public:
  static Result<std::unique_ptr<SourceIndex>> build(ByteView old_data);
  ~SourceIndex();
  SourceIndex(const SourceIndex&) = delete;
  SourceIndex& operator=(const SourceIndex&) = delete;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit SourceIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One pass of bsdiff 4.3's scan. `match_gain` is how many more matching bytes a new
// match needs than the current alignment before the scan switches to it (8 in
// bsdiff 4.3). Every copy reads inside the source: 0 <= old position, end <= old size.
// `max_match` > 0 bounds each search's match length and sorts a suffix that is a
// proper prefix of the target before it, so that runs of one byte value are matched
// in long steps instead of one search per byte; 0 is bsdiff 4.3's scan exactly.
void bsdiff_scan(const SourceIndex& index, ByteView old_data, ByteView new_data,
                 int64_t match_gain, ScanSink& sink, const ProgressFn& progress,
                 int64_t max_match = 0);

// An exact match: new[new_offset, +length) == old[old_offset, +length).
struct ExactMatch {
  uint64_t new_offset, old_offset, length;
};

// Exact matches in increasing, non-overlapping target order, produced on demand.
class MatchSource {
 public:
  virtual ~MatchSource() = default;
  virtual bool next(ExactMatch& out) = 0;  // false: no more matches
};

// bsdiff's scan with `matches` as its only search results instead of a suffix array:
// the scan extends and joins them across small differences as it does suffix-array
// matches (anchored_scan.cc). Memory: nothing beyond the inputs and the sink.
void match_scan(MatchSource& matches, ByteView old_data, ByteView new_data, int64_t match_gain,
                ScanSink& sink, const ProgressFn& progress);

// Length of the common prefix of a[0..n) and b[0..n).
int64_t common_prefix(const uint8_t* a, const uint8_t* b, int64_t n);

// A compressor for one stream, fed incrementally.
class StreamCoder {
 public:
  virtual ~StreamCoder() = default;
  virtual bool write(const uint8_t* data, size_t size) = 0;
  virtual bool finish() = 0;  // ends the stream and frees the compressor's state
  virtual const Bytes& bytes() const = 0;
};

// The control, diff and extra streams, compressed on other threads while the scan goes
// on (compression is otherwise on the critical path). Bytes are batched per stream and
// handed over in FIFO order, so each stream's output is exactly what one sequential
// compressor would produce. One worker serves all three streams (at most one
// compressor busy at a time, as in bsdiff), or, with `worker_per_stream`, each stream
// has its own (large images: the diff and extra streams are both big).
class PipelinedStreams {
 public:
  enum Stream { kCtrl, kDiff, kExtra };

  PipelinedStreams(std::unique_ptr<StreamCoder> ctrl, std::unique_ptr<StreamCoder> diff,
                   std::unique_ptr<StreamCoder> extra, bool worker_per_stream = false);
  ~PipelinedStreams();
  PipelinedStreams(const PipelinedStreams&) = delete;
  PipelinedStreams& operator=(const PipelinedStreams&) = delete;

  uint8_t* extend(Stream stream, size_t n);  // room for n more bytes, filled by the caller
  void append(Stream stream, const uint8_t* data, size_t n);
  uint64_t raw_size(Stream stream) const { return raw_[stream]; }

  // Flushes and finishes the streams (each frees its compressor state when done);
  // false if a compressor failed.
  bool finish();
  const Bytes& bytes(Stream stream) const { return coders_[stream]->bytes(); }

 private:
  static constexpr size_t kBatchBytes = size_t(256) << 10;
  // The control and extra streams are usually small: hold up to 2 MiB of them raw so
  // that their compressors start only after the diff stream's has been freed.
  static constexpr size_t kHeldBytes = size_t(2) << 20;
  static size_t batch_limit(Stream s) { return s == kDiff ? kBatchBytes : kHeldBytes; }
  static constexpr size_t kMaxQueued = 4;  // bounds memory to ~1 MiB of batches per worker

  struct Batch {
    Stream stream;
    Bytes bytes;
    bool finish;  // end the stream instead of writing
  };
  struct Lane {
    std::deque<Batch> queue;
    std::mutex mutex;
    std::condition_variable ready, space;
    bool done = false;
    std::thread worker;
  };

  void hand_over(Stream stream, bool finish = false);
  void stop();
  void run(Lane& lane);

  std::unique_ptr<StreamCoder> coders_[3];
  Bytes pending_[3];
  uint64_t raw_[3] = {0, 0, 0};
  std::atomic<bool> failed_{false};
  std::deque<Lane> lanes_;  // last: workers start after every member they use exists
};

}  // namespace ota::delta::detail
