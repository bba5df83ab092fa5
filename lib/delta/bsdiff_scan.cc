// The matching loop is bsdiff 4.3's (Colin Percival, BSD licence), kept step for step
// so that the BSDIFF40 output is byte-identical to Debian's bsdiff; only the suffix
// sort (libdivsufsort instead of qsufsort) and the stream plumbing differ.
#include "delta/bsdiff_scan.h"

#include <divsufsort.h>

#include <algorithm>
#include <cstring>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/large_buffer.h"

namespace ota::delta::detail {
namespace {

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
  //
  // With `prefix_is_less`, a suffix that is a proper prefix of the target sorts
  // before it (true lexicographic order), so the search ends next to the longest
  // match even inside a run of one byte value, where bsdiff 4.3's rule walks to
  // the shortest suffix and finds a 1-byte match at every position.
  void search_batch(const uint8_t* const* targets, const int64_t* sizes, int count,
                    int64_t* lens, int64_t* positions, bool prefix_is_less = false) const {
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
            step(z, prefix_is_less && heads_[z.node] < z.head, k);
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
          if (prefix_is_less && l == n && old_size_ - z.suffix < sizes[i]) less = true;
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

struct SourceIndex::Impl {
  LargeBuffer sa_memory;
  SuffixSearch search;
  Impl(LargeBuffer memory, ByteView old_data)
      : sa_memory(std::move(memory)), search(static_cast<const saidx_t*>(sa_memory.data()), old_data) {}
};

SourceIndex::SourceIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SourceIndex::~SourceIndex() = default;

Result<std::unique_ptr<SourceIndex>> SourceIndex::build(ByteView old_data) {
  const int64_t old_size = int64_t(old_data.size());
  if (old_data.size() > kMaxBsdiffSourceBytes)
    return Error{Errc::unsupported, "a suffix array indexes sources up to 2 GiB"};
  // Like qsufsort's output, sa[0] is the empty suffix (position old_size), which
  // sorts first; divsufsort fills the rest.
  LargeBuffer sa_memory((size_t(old_size) + 1) * sizeof(saidx_t));
  auto* sa = static_cast<saidx_t*>(sa_memory.data());
  if (!sa) return Error{Errc::io, "out of memory for the suffix array"};
  sa[0] = saidx_t(old_size);
  if (old_size > 0 && divsufsort(old_data.data(), sa + 1, saidx_t(old_size)) != 0)
    return Error{Errc::io, "suffix sorting failed (out of memory?)"};
  return std::unique_ptr<SourceIndex>(new SourceIndex(std::make_unique<Impl>(std::move(sa_memory), old_data)));
}

PipelinedStreams::PipelinedStreams(std::unique_ptr<StreamCoder> ctrl, std::unique_ptr<StreamCoder> diff,
                                   std::unique_ptr<StreamCoder> extra, bool worker_per_stream)
    : coders_{std::move(ctrl), std::move(diff), std::move(extra)},
      lanes_(worker_per_stream ? 3 : 1) {
  for (auto& lane : lanes_) lane.worker = std::thread([this, &lane] { run(lane); });
}

PipelinedStreams::~PipelinedStreams() { stop(); }

uint8_t* PipelinedStreams::extend(Stream stream, size_t n) {
  Bytes& b = pending_[stream];
  if (b.size() + n > batch_limit(stream) && !b.empty()) hand_over(stream);
  size_t at = pending_[stream].size();
  pending_[stream].resize(at + n);
  raw_[stream] += n;
  return pending_[stream].data() + at;
}

void PipelinedStreams::append(Stream stream, const uint8_t* data, size_t n) {
  if (n > 0) std::memcpy(extend(stream, n), data, n);
}

bool PipelinedStreams::finish() {
  for (Stream s : {kDiff, kCtrl, kExtra}) {
    if (!pending_[s].empty()) hand_over(s);
    hand_over(s, /*finish=*/true);
  }
  stop();
  return !failed_;
}

void PipelinedStreams::hand_over(Stream stream, bool finish) {
  Lane& lane = lanes_[lanes_.size() == 1 ? 0 : size_t(stream)];
  {
    std::unique_lock<std::mutex> lock(lane.mutex);
    lane.space.wait(lock, [&] { return lane.queue.size() < kMaxQueued; });
    lane.queue.push_back(Batch{stream, finish ? Bytes() : std::move(pending_[stream]), finish});
  }
  if (!finish) {
    pending_[stream] = Bytes();
    pending_[stream].reserve(stream == kDiff ? kBatchBytes : 0);
  }
  lane.ready.notify_one();
}

void PipelinedStreams::stop() {
  for (auto& lane : lanes_) {
    {
      std::lock_guard<std::mutex> lock(lane.mutex);
      lane.done = true;
    }
    lane.ready.notify_one();
  }
  for (auto& lane : lanes_)
    if (lane.worker.joinable()) lane.worker.join();
}

void PipelinedStreams::run(Lane& lane) {
  for (;;) {
    Batch item;
    {
      std::unique_lock<std::mutex> lock(lane.mutex);
      lane.ready.wait(lock, [&] { return !lane.queue.empty() || lane.done; });
      if (lane.queue.empty()) return;
      item = std::move(lane.queue.front());
      lane.queue.pop_front();
    }
    lane.space.notify_one();
    StreamCoder& coder = *coders_[item.stream];
    const bool ok = item.finish ? coder.finish() : coder.write(item.bytes.data(), item.bytes.size());
    if (!ok) failed_ = true;
  }
}

namespace {

// bsdiff_scan's search: batches of consecutive positions (search_batch); the scan
// asks for one position at a time, usually the next, and jumps after a match. The
// batch grows while its results are all used and shrinks after a jump.
class SuffixSearcher {
 public:
  SuffixSearcher(const SuffixSearch& index, const uint8_t* new_data, int64_t new_size, int64_t max_match)
      : index_(index), new_data_(new_data), new_size_(new_size), max_match_(max_match) {}

  int64_t operator()(int64_t at, int64_t* found_pos) {
    if (at < batch_base_ || at >= batch_base_ + batch_count_) {
      const bool consumed = at == batch_base_ + batch_count_;
      batch_size_ = consumed ? std::min(batch_size_ * 2, SuffixSearch::kMaxBatch) : std::max(batch_size_ / 2, 1);
      batch_base_ = at;
      batch_count_ = int(std::min<int64_t>(batch_size_, new_size_ - at));
      for (int i = 0; i < batch_count_; ++i) {
        targets_[i] = new_data_ + at + i;
        sizes_[i] = max_match_ > 0 ? std::min(new_size_ - at - i, max_match_) : new_size_ - at - i;
      }
      index_.search_batch(targets_, sizes_, batch_count_, lens_, positions_, max_match_ > 0);
    }
    *found_pos = positions_[at - batch_base_];
    // A long match usually ends the run of single steps (the scan jumps past it),
    // and speculative searches inside it cost long comparisons: stop speculating.
    if (lens_[at - batch_base_] > kLongMatch) batch_size_ = 1;
    return lens_[at - batch_base_];
  }

 private:
  static constexpr int64_t kLongMatch = 64;
  const SuffixSearch& index_;
  const uint8_t* new_data_;
  int64_t new_size_, max_match_;
  int64_t batch_base_ = -1, lens_[SuffixSearch::kMaxBatch], positions_[SuffixSearch::kMaxBatch];
  const uint8_t* targets_[SuffixSearch::kMaxBatch];
  int64_t sizes_[SuffixSearch::kMaxBatch];
  int batch_count_ = 0, batch_size_ = 1;
};

constexpr int64_t kAnchoredXdrop = 1024;

// Exact matches as the search: inside a match, the rest of it; elsewhere nothing.
// The scan's positions only grow, so matches are pulled from the source in order.
class ListSearcher {
 public:
  explicit ListSearcher(MatchSource& source) : source_(source) { more_ = source_.next(cur_); }
  int64_t operator()(int64_t at, int64_t* found_pos) {
    while (more_ && int64_t(cur_.new_offset + cur_.length) <= at) more_ = source_.next(cur_);
    if (more_ && int64_t(cur_.new_offset) <= at) {
      *found_pos = int64_t(cur_.old_offset) + (at - int64_t(cur_.new_offset));
      return int64_t(cur_.new_offset + cur_.length) - at;
    }
    *found_pos = 0;
    return 0;
  }

 private:
  MatchSource& source_;
  ExactMatch cur_{};
  bool more_ = false;
};

template <class Searcher>
void scan_with(Searcher& search_at, ByteView old_view, ByteView new_view, int64_t match_gain, ScanSink& sink,
               const ProgressFn& progress, int64_t xdrop = 0) {
  const uint8_t* old_data = old_view.data();
  const uint8_t* new_data = new_view.data();
  const int64_t old_size = int64_t(old_view.size());
  const int64_t new_size = int64_t(new_view.size());

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
        // X-drop: stop once the score is far below its best, so that one extension
        // never bridges a long unrelated stretch to reach matching bytes beyond it.
        if (xdrop > 0 && (sf * 2 - lenf) - (s * 2 - i) > xdrop) break;
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
          if (xdrop > 0 && (sb * 2 - lenb) - (s * 2 - i) > xdrop) break;
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
        const int64_t n = std::min<int64_t>(lenf - at, ScanSink::kSliceBytes);
        uint8_t* d = sink.extend_diff(size_t(n));
        for (int64_t i = 0; i < n; i++)
          d[i] = uint8_t(new_data[last_scan + at + i] - old_data[last_pos + at + i]);
        at += n;
      }
      const int64_t extra_len = (scan - lenb) - (last_scan + lenf);
      for (int64_t at = 0; at < extra_len;) {
        const int64_t n = std::min<int64_t>(extra_len - at, ScanSink::kSliceBytes);
        sink.append_extra(new_data + last_scan + lenf + at, size_t(n));
        at += n;
      }
      sink.control(lenf, extra_len, (pos - lenb) - (last_pos + lenf));

      last_scan = scan - lenb;
      last_pos = pos - lenb;
      last_offset = pos - scan;
    }
    if (progress && uint64_t(scan) >= next_report) {
      progress(uint64_t(scan), uint64_t(new_size));
      next_report = uint64_t(scan) + (uint64_t(1) << 20);
    }
  }
  if (progress) progress(uint64_t(new_size), uint64_t(new_size));
}

}  // namespace

void bsdiff_scan(const SourceIndex& source, ByteView old_view, ByteView new_view, int64_t match_gain,
                 ScanSink& sink, const ProgressFn& progress, int64_t max_match) {
  SuffixSearcher search(source.impl().search, new_view.data(), int64_t(new_view.size()), max_match);
  scan_with(search, old_view, new_view, match_gain, sink, progress);
}

void match_scan(MatchSource& matches, ByteView old_view, ByteView new_view, int64_t match_gain,
                ScanSink& sink, const ProgressFn& progress) {
  // Anchored matches leave long stretches unsearched, which bsdiff's unbounded
  // extension would bridge (a new file written over old free space became one
  // approximate copy of unrelated bytes): extensions stop 1024 points below their best.
  ListSearcher search(matches);
  scan_with(search, old_view, new_view, match_gain, sink, progress, kAnchoredXdrop);
}

int64_t common_prefix(const uint8_t* a, const uint8_t* b, int64_t n) { return match_length(a, n, b, n); }

}  // namespace ota::delta::detail
