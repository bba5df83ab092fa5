// The matching loop is bsdiff 4.3's (Colin Percival, BSD licence), kept step for step
// so that the output is byte-identical to Debian's bsdiff; only the suffix sort
// (libdivsufsort instead of qsufsort) and the stream plumbing differ.
#include <bzlib.h>
#include <divsufsort.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/large_buffer.h"
#include "delta/bsdiff.h"
#include "delta/bsdiff_header.h"

namespace ota::delta {
namespace {

// One bzip2 stream fed incrementally; settings match bsdiff's BZ2_bzWriteOpen(.., 9, 0, 0).
// The compressor's ~7.5 MB of block-sorting state exists only from the first byte
// to finish(), so short streams that are compressed one after another never hold
// it at the same time.
class Bzip2Sink {
 public:
  Bzip2Sink() = default;
  ~Bzip2Sink() { end(); }
  Bzip2Sink(const Bzip2Sink&) = delete;
  Bzip2Sink& operator=(const Bzip2Sink&) = delete;

  bool write(const uint8_t* data, size_t size) {
    // bzip2 counts in unsigned int: feed at most 1 GiB per call.
    while (size > 0) {
      size_t chunk = std::min<size_t>(size, size_t(1) << 30);
      if (!run(data, chunk, BZ_RUN)) return false;
      data += chunk;
      size -= chunk;
    }
    return true;
  }
  bool finish() {
    const bool ok = run(nullptr, 0, BZ_FINISH);
    end();
    return ok;
  }
  const Bytes& bytes() const { return out_; }

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

// The control, diff and extra streams, compressed on a second thread while the
// scan goes on: bzip2 is ~15% of the work and otherwise sits on the critical path.
// Bytes are batched per stream and handed over in FIFO order, so each stream's
// output is exactly what one sequential BZ2 stream would produce.
class PipelinedStreams {
 public:
  enum Stream { kCtrl, kDiff, kExtra };
  static constexpr int64_t kSliceBytes = 64 << 10;  // most one extend() should ask for

  PipelinedStreams() : worker_([this] { run(); }) {}
  ~PipelinedStreams() { stop(); }
  PipelinedStreams(const PipelinedStreams&) = delete;
  PipelinedStreams& operator=(const PipelinedStreams&) = delete;

  // Space for `n` more bytes of `stream`, to be filled by the caller.
  uint8_t* extend(Stream stream, size_t n) {
    Bytes& b = pending_[stream];
    if (b.size() + n > batch_limit(stream) && !b.empty()) hand_over(stream);
    size_t at = pending_[stream].size();
    pending_[stream].resize(at + n);
    return pending_[stream].data() + at;
  }
  void append(Stream stream, const uint8_t* data, size_t n) {
    if (n > 0) std::memcpy(extend(stream, n), data, n);
  }

  // Flushes and finishes the streams one after another (each frees its bzip2
  // state before the next starts); false if bzip2 failed.
  bool finish() {
    for (Stream s : {kDiff, kCtrl, kExtra}) {
      if (!pending_[s].empty()) hand_over(s);
      hand_over(s, /*finish=*/true);
    }
    stop();
    return !failed_;
  }
  const Bytes& bytes(Stream stream) const { return sinks_[stream].bytes(); }

 private:
  static constexpr size_t kBatchBytes = size_t(256) << 10;
  // The control and extra streams are usually small: hold up to 2 MiB of them raw
  // so that their compressors (~7.5 MB each) start only after the diff stream's
  // has been freed, at finish().
  static constexpr size_t kHeldBytes = size_t(2) << 20;
  static size_t batch_limit(Stream s) { return s == kDiff ? kBatchBytes : kHeldBytes; }
  static constexpr size_t kMaxQueued = 4;  // bounds memory to ~1 MiB of batches

  struct Batch {
    Stream stream;
    Bytes bytes;
    bool finish;  // end the stream instead of writing
  };

  void hand_over(Stream stream, bool finish = false) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    queue_.push_back(Batch{stream, finish ? Bytes() : std::move(pending_[stream]), finish});
    if (!finish) {
      pending_[stream] = Bytes();
      pending_[stream].reserve(stream == kDiff ? kBatchBytes : 0);
    }
    ready_.notify_one();
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    if (worker_.joinable()) worker_.join();
  }
  void run() {
    for (;;) {
      Batch item;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      Bzip2Sink& sink = sinks_[item.stream];
      const bool ok = item.finish ? sink.finish() : sink.write(item.bytes.data(), item.bytes.size());
      if (!ok) failed_ = true;
    }
  }

  Bzip2Sink sinks_[3];
  Bytes pending_[3];
  std::deque<Batch> queue_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  bool done_ = false;
  std::atomic<bool> failed_{false};
  std::thread worker_;  // last: starts after every member it uses exists
};

// Length of the common prefix. Matches inside long runs of equal bytes are
// compared again at every scan position, so this is the hottest loop: 32 bytes a
// step with SSE2 (baseline x86-64), 8 elsewhere.
inline int64_t match_length(const uint8_t* a, int64_t a_size, const uint8_t* b, int64_t b_size) {
  const int64_t n = std::min(a_size, b_size);
  int64_t i = 0;
#ifdef __SSE2__
  for (; i + 32 <= n; i += 32) {
    const __m128i a0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const __m128i a1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16));
    const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16));
    const uint32_t eq = uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0))) |
                        uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(a1, b1))) << 16;
    if (eq != 0xFFFFFFFFu) return i + __builtin_ctz(~eq);
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return i + (__builtin_ctzll(x ^ y) >> 3);
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Length of the common prefix of a and b, and whether a sorts before b within it.
inline int64_t compare_from(const uint8_t* a, const uint8_t* b, int64_t n, int64_t from,
                            bool* a_less) {
  int64_t l = from + match_length(a + from, n - from, b + from, n - from);
  *a_less = l < n && a[l] < b[l];
  return l;
}

// The suffix array plus a cache of the first levels of the binary search that
// every bsdiff search makes from [0, old_size]. Those midpoints are the same for
// every target; their first 8 bytes, kept in a 1.1 MiB table in breadth-first order (17 levels),
// decide most comparisons without touching the 4n-byte suffix array or the source
// at random (the cache misses that dominate the scan). Decisions and match lengths
// are exactly those of the uncached search.
class SuffixSearch {
 public:
  SuffixSearch(const saidx_t* sa, ByteView old_view)
      : sa_(sa), old_(old_view.data()), old_size_(int64_t(old_view.size())) {
    keys_.resize(size_t(1) << kCachedLevels);
    heads_.resize(size_t(1) << kCachedLevels);
    fill(1, 0, old_size_);
  }

  static constexpr int kMaxBatch = 16;

  // bsdiff's search(), for several targets at once. Per target: a binary search
  // for the longest match, comparing over min(suffix, target) bytes at each
  // midpoint (a suffix that is a prefix of the target counts as not less); the
  // longer of the two final bounds wins, ties to the upper one. Each comparison
  // starts after the prefix that both bounds share with the target: every suffix
  // between them shares it too (Manber & Myers). The targets advance level by
  // level, so the cache misses of the deep levels (one in the suffix array, one
  // in the source) of all lanes are in flight together.
  void search_batch(const uint8_t* const* targets, const int64_t* sizes, int count,
                    int64_t* lens, int64_t* positions) const {
    struct Lane {
      int64_t st, en, lcp_st, lcp_en, mid, suffix;
      size_t node;
      uint64_t key;
      int head;
      bool active, need_memory;
    };
    Lane lanes[kMaxBatch];
    const int64_t last_suffix = sa_[old_size_];
    for (int i = 0; i < count; ++i) {
      Lane& z = lanes[i];
      z.st = 0;
      z.en = old_size_;
      z.lcp_st = 0;
      z.lcp_en = match_length(old_ + last_suffix, old_size_ - last_suffix, targets[i], sizes[i]);
      z.node = 1;
      z.head = int(std::min<int64_t>(sizes[i], 8));
      z.key = load_key(targets[i], z.head);
      z.active = z.en - z.st >= 2;
    }
    for (bool any = true; any;) {
      any = false;
      for (int i = 0; i < count; ++i) {  // decide from the cache, or start the loads
        Lane& z = lanes[i];
        if (!z.active) continue;
        z.mid = z.st + (z.en - z.st) / 2;
        z.need_memory = true;
        if (z.node < keys_.size()) {
          const uint64_t cached_key = keys_[z.node];
          const int k = std::min<int>(heads_[z.node], z.head);
          const uint64_t diff = (cached_key ^ z.key) & head_mask(k);
          if (diff != 0) {
            const int d = __builtin_clzll(diff) / 8;
            const bool less =
                uint8_t(cached_key >> (56 - 8 * d)) < uint8_t(z.key >> (56 - 8 * d));
            step(z, less, d);
            z.need_memory = false;
          } else if (k < 8) {
            step(z, false, k);
            z.need_memory = false;
          }
        }
        if (z.need_memory) __builtin_prefetch(sa_ + z.mid);
      }
      for (int i = 0; i < count; ++i) {
        Lane& z = lanes[i];
        if (!z.active || !z.need_memory) continue;
        z.suffix = sa_[z.mid];
        __builtin_prefetch(old_ + z.suffix);
        __builtin_prefetch(targets[i] + std::min(z.lcp_st, z.lcp_en));
      }
      for (int i = 0; i < count; ++i) {
        Lane& z = lanes[i];
        if (z.active && z.need_memory) {
          const int64_t n = std::min<int64_t>(old_size_ - z.suffix, sizes[i]);
          int64_t from = std::min(z.lcp_st, z.lcp_en);
          if (z.node < keys_.size()) from = std::max<int64_t>(from, 8);
          bool less = false;
          const int64_t l = compare_from(old_ + z.suffix, targets[i], n, from, &less);
          step(z, less, l);
        }
        any |= z.active;
      }
    }
    for (int i = 0; i < count; ++i) {
      const Lane& z = lanes[i];
      if (z.lcp_st > z.lcp_en) {
        positions[i] = sa_[z.st];
        lens[i] = z.lcp_st;
      } else {
        positions[i] = sa_[z.en];
        lens[i] = z.lcp_en;
      }
    }
  }

 private:
  template <class Lane>
  static void step(Lane& z, bool less, int64_t l) {
    if (less) {
      z.st = z.mid;
      z.lcp_st = l;
    } else {
      z.en = z.mid;
      z.lcp_en = l;
    }
    z.node = 2 * z.node + (less ? 1 : 0);
    z.active = z.en - z.st >= 2;
  }

  static constexpr int kCachedLevels = 17;

  static uint64_t load_key(const uint8_t* p, int n) {
    uint64_t k = 0;
    for (int i = 0; i < n; ++i) k |= uint64_t(p[i]) << (56 - 8 * i);
    return k;
  }
  static uint64_t head_mask(int k) { return k == 0 ? 0 : ~uint64_t(0) << (64 - 8 * k); }

  void fill(size_t node, int64_t st, int64_t en) {
    if (node >= keys_.size() || en - st < 2) return;
    const int64_t mid = st + (en - st) / 2;
    const int head = int(std::min<int64_t>(old_size_ - sa_[mid], 8));
    keys_[node] = load_key(old_ + sa_[mid], head);
    heads_[node] = uint8_t(head);
    fill(2 * node, st, mid);      // taken when the target is not less
    fill(2 * node + 1, mid, en);  // taken when the suffix is less than the target
  }

  const saidx_t* sa_;
  const uint8_t* old_;
  int64_t old_size_;
  // Node i's children are 2i and 2i+1 (breadth-first). Split arrays keep the keys,
  // which every comparison reads, dense in cache.
  std::vector<uint64_t> keys_;  // the suffix's first bytes, big-endian, zero-padded
  std::vector<uint8_t> heads_;  // how many of them exist: min(suffix length, 8)
};

}  // namespace

// One pass of bsdiff 4.3's scan over a ready suffix array. `match_gain` is how many
// more matching bytes a new match needs than the current alignment before the scan
// switches to it (8 in bsdiff 4.3).
static Result<Bytes> scan_and_code(const SuffixSearch& index, ByteView old_view, ByteView new_view,
                            int64_t match_gain, const ProgressFn& progress) {
  const uint8_t* old_data = old_view.data();
  const uint8_t* new_data = new_view.data();
  const int64_t old_size = int64_t(old_view.size());
  const int64_t new_size = int64_t(new_view.size());

  // Searches run in batches of consecutive positions (search_batch); the scan
  // asks for one position at a time, usually the next, and jumps after a match.
  // The batch grows while its results are all used and shrinks after a jump.
  int64_t batch_base = -1, batch_lens[SuffixSearch::kMaxBatch], batch_pos[SuffixSearch::kMaxBatch];
  int batch_count = 0, batch_size = 1;
  constexpr int64_t kLongMatch = 64;
  const uint8_t* batch_targets[SuffixSearch::kMaxBatch];
  int64_t batch_sizes[SuffixSearch::kMaxBatch];
  auto search_at = [&](int64_t at, int64_t* found_pos) {
    if (at < batch_base || at >= batch_base + batch_count) {
      const bool consumed = at == batch_base + batch_count;
      batch_size = consumed ? std::min(batch_size * 2, SuffixSearch::kMaxBatch)
                            : std::max(batch_size / 2, 1);
      batch_base = at;
      batch_count = int(std::min<int64_t>(batch_size, new_size - at));
      for (int i = 0; i < batch_count; ++i) {
        batch_targets[i] = new_data + at + i;
        batch_sizes[i] = new_size - at - i;
      }
      index.search_batch(batch_targets, batch_sizes, batch_count, batch_lens, batch_pos);
    }
    *found_pos = batch_pos[at - batch_base];
    // A long match usually ends the run of single steps (the scan jumps past it),
    // and speculative searches inside it cost long comparisons: stop speculating.
    if (batch_lens[at - batch_base] > kLongMatch) batch_size = 1;
    return batch_lens[at - batch_base];
  };

  PipelinedStreams streams;
  int64_t scan = 0, len = 0, pos = 0;
  int64_t last_scan = 0, last_pos = 0, last_offset = 0;
  uint64_t next_report = 0;
  while (scan < new_size) {
    int64_t old_score = 0;
    int64_t scsc;
    for (scsc = scan += len; scan < new_size; scan++) {
      len = search_at(scan, &pos);
      for (; scsc < scan + len; scsc++)
        if (scsc + last_offset < old_size && old_data[scsc + last_offset] == new_data[scsc])
          old_score++;
      if ((len == old_score && len != 0) || len > old_score + match_gain) break;
      if (scan + last_offset < old_size && old_data[scan + last_offset] == new_data[scan])
        old_score--;
    }
    if (len != old_score || scan == new_size) {
      // Extend the previous match forward and this one backward, then split any overlap.
      int64_t s = 0, sf = 0, lenf = 0;
      for (int64_t i = 0; last_scan + i < scan && last_pos + i < old_size;) {
        if (old_data[last_pos + i] == new_data[last_scan + i]) s++;
        i++;
        if (s * 2 - i > sf * 2 - lenf) {
          sf = s;
          lenf = i;
        }
      }
      int64_t lenb = 0;
      if (scan < new_size) {
        int64_t sb = 0;
        s = 0;
        for (int64_t i = 1; scan >= last_scan + i && pos >= i; i++) {
          if (old_data[pos - i] == new_data[scan - i]) s++;
          if (s * 2 - i > sb * 2 - lenb) {
            sb = s;
            lenb = i;
          }
        }
      }
      if (last_scan + lenf > scan - lenb) {
        int64_t overlap = (last_scan + lenf) - (scan - lenb);
        int64_t ss = 0, lens = 0;
        s = 0;
        for (int64_t i = 0; i < overlap; i++) {
          if (new_data[last_scan + lenf - overlap + i] == old_data[last_pos + lenf - overlap + i]) s++;
          if (new_data[scan - lenb + i] == old_data[pos - lenb + i]) s--;
          if (s > ss) {
            ss = s;
            lens = i + 1;
          }
        }
        lenf += lens - overlap;
        lenb -= lens;
      }

      // In slices, so a long match never needs a buffer of its length.
      for (int64_t at = 0; at < lenf;) {
        const int64_t n = std::min<int64_t>(lenf - at, PipelinedStreams::kSliceBytes);
        uint8_t* d = streams.extend(PipelinedStreams::kDiff, size_t(n));
        for (int64_t i = 0; i < n; i++)
          d[i] = uint8_t(new_data[last_scan + at + i] - old_data[last_pos + at + i]);
        at += n;
      }
      const int64_t extra_len = (scan - lenb) - (last_scan + lenf);
      for (int64_t at = 0; at < extra_len;) {
        const int64_t n = std::min<int64_t>(extra_len - at, PipelinedStreams::kSliceBytes);
        streams.append(PipelinedStreams::kExtra, new_data + last_scan + lenf + at, size_t(n));
        at += n;
      }
      uint8_t entry[24];
      store_offt(entry, lenf);
      store_offt(entry + 8, extra_len);
      store_offt(entry + 16, (pos - lenb) - (last_pos + lenf));
      streams.append(PipelinedStreams::kCtrl, entry, sizeof entry);

      last_scan = scan - lenb;
      last_pos = pos - lenb;
      last_offset = pos - scan;
    }
    if (progress && uint64_t(scan) >= next_report) {
      progress(uint64_t(scan), uint64_t(new_size));
      next_report = uint64_t(scan) + (uint64_t(1) << 20);
    }
  }
  if (!streams.finish()) return Error{Errc::io, "bzip2 compression failed (out of memory?)"};
  const Bytes& ctrl = streams.bytes(PipelinedStreams::kCtrl);
  const Bytes& diff = streams.bytes(PipelinedStreams::kDiff);
  const Bytes& extra = streams.bytes(PipelinedStreams::kExtra);

  Bytes patch(kBsdiffHeaderBytes);
  std::memcpy(patch.data(), kBsdiffMagic, 8);
  store_offt(patch.data() + 8, int64_t(ctrl.size()));
  store_offt(patch.data() + 16, int64_t(diff.size()));
  store_offt(patch.data() + 24, new_size);
  patch.reserve(patch.size() + ctrl.size() + diff.size() + extra.size());
  for (const Bytes* stream : {&ctrl, &diff, &extra})
    patch.insert(patch.end(), stream->begin(), stream->end());
  if (progress) progress(uint64_t(new_size), uint64_t(new_size));
  return patch;
}


Result<BsdiffPatch> bsdiff_encode(ByteView old_view, ByteView new_view, const BsdiffParams& params,
                                  const ProgressFn& progress) {
  if (old_view.size() > kMaxBsdiffSourceBytes)
    return Error{Errc::unsupported, "bsdiff handles sources up to 2 GiB; use --algo zstd"};
  if (params.match_gains.empty()) return Error{Errc::invalid_argument, "no bsdiff match gain"};
  const int64_t old_size = int64_t(old_view.size());

  // Like qsufsort's output, sa[0] is the empty suffix (position old_size), which
  // sorts first; divsufsort fills the rest.
  LargeBuffer sa_memory((size_t(old_size) + 1) * sizeof(saidx_t));
  auto* sa = static_cast<saidx_t*>(sa_memory.data());
  if (!sa) return Error{Errc::io, "out of memory for the suffix array"};
  sa[0] = saidx_t(old_size);
  if (old_size > 0 && divsufsort(old_view.data(), sa + 1, saidx_t(old_size)) != 0)
    return Error{Errc::io, "suffix sorting failed (out of memory?)"};

  // Several gains: the scans share the suffix array and run concurrently; the
  // smallest output wins, ties to the earlier gain, so the result is deterministic.
  const SuffixSearch index(sa, old_view);
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
