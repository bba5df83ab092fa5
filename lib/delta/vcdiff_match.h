// The VCDIFF encoder's match finder: turns one target window into ADD / RUN / COPY
// operations against the old file and the window's own earlier bytes. Header-only, used
// by vcdiff_encode.cc alone.
//
// Greedy with one-step lazy matching, as zstd's lazy strategy: at each position the best of
//  - a RUN of one byte value,
//  - the last few source "diagonals" (old offset - new offset of recent copies), which
//    pick up again after a patched displacement or constant in an executable,
//  - the old file's 8-byte strings with the same hash (SourceIndex), and
//  - the window's earlier 4-byte strings with the same hash (TargetIndex),
// scored by bytes covered minus the bytes the COPY costs under the address cache; then
// the same at the next position, which wins only if it scores higher. Every candidate
// extends backwards over the pending ADD bytes, and a COPY that would extend further takes
// back the operations before it (take_back). Same inputs, same operations: nothing
// depends on addresses, time or threads.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/bytes.h"
#include "delta/vcdiff_code_table.h"
#include "delta/vcdiff_internal.h"

namespace ota::delta::vcdiff {

inline constexpr uint32_t kMinCopy = 4;  // the default code table's smallest COPY size

// Length of the common prefix of a and b, at most `limit`.
inline size_t common_prefix(const uint8_t* a, const uint8_t* b, size_t limit) {
  size_t n = 0;
  while (n + 8 <= limit) {
    const uint64_t x = load_le64(a + n) ^ load_le64(b + n);
    if (x != 0) return n + size_t(__builtin_ctzll(x)) / 8;
    n += 8;
  }
  while (n < limit && a[n] == b[n]) ++n;
  return n;
}

// The cheapest way to write `addr` (RFC 3284 section 5.3) from position `here`.
struct AddressChoice {
  uint8_t mode = 0;
  uint8_t bytes = 0;   // encoded size in the address section
  uint64_t value = 0;  // what is written: a varint, or one byte for the SAME modes
};
inline AddressChoice choose_address(const AddressCache& cache, uint64_t addr, uint64_t here) {
  AddressChoice best{0, uint8_t(varint_size(addr)), addr};
  auto take = [&](int mode, uint64_t value, size_t bytes) {
    if (bytes < best.bytes) best = {uint8_t(mode), uint8_t(bytes), value};
  };
  take(1, here - addr, varint_size(here - addr));
  for (int i = 0; i < kNearSize; ++i)
    if (addr >= cache.near(i)) take(2 + i, addr - cache.near(i), varint_size(addr - cache.near(i)));
  // SAME last: on a tie the modes 0-5 are preferred, which pair with more ADD sizes.
  const uint64_t slot = addr % (kSameSize * 256);
  if (cache.same(int(slot)) == addr) take(2 + kNearSize + int(slot / 256), slot % 256, 1);
  return best;
}

inline uint32_t copy_cost(uint64_t size, uint32_t address_bytes) {
  return 1 + (size >= kMinCopy && size <= 18 ? 0 : uint32_t(varint_size(size))) + address_bytes;
}

// The old file's 8-byte strings at every `step`-th offset, hashed into cache-line buckets
// of kWays offsets with an 8-bit check each, so that a lookup costs one cache miss plus one
// per candidate whose check matches. Newest offsets first; of a run of equal strings
// (zeros, padding) the first offset is kept rather than the tail. Bounds: a lookup visits
// at most kWays candidates whatever the data; memory is 64 bytes per kLoad indexed offsets
// (6.4 bytes per offset) for at most kMaxOffsets offsets (~215 MiB): beyond 32 MiB the old
// file is indexed every `step` bytes, and matches are still found, from a few bytes later,
// by extending backwards.
class SourceIndex {
 public:
  static constexpr int kWays = 12;
  static constexpr uint64_t kLoad = 10;  // offsets per bucket on average
  static constexpr uint64_t kMaxOffsets = uint64_t(1) << 25;

  struct alignas(64) Bucket {
    uint32_t offset[kWays];  // old offset + 1; 0 = empty
    uint8_t check[kWays];
  };

  // `src` must outlive the index and be shorter than 4 GiB.
  explicit SourceIndex(ByteView src) {
    if (src.size() < 8) return;
    const uint64_t offsets = src.size() - 7;
    step_ = (offsets + kMaxOffsets - 1) / kMaxOffsets;
    buckets_.resize(size_t((offsets + step_ - 1) / step_ / kLoad + 1));
    uint64_t previous = ~uint64_t(0);
    for (uint64_t p = 0; p + 8 <= src.size(); p += step_) {
      const uint64_t key = load_le64(src.data() + p);
      if (key == previous) continue;  // inside a run: keep the run's first offset
      previous = key;
      const uint64_t h = mix(key);
      Bucket& b = buckets_[bucket_of(h)];
      for (int i = kWays - 1; i > 0; --i) {
        b.offset[i] = b.offset[i - 1];
        b.check[i] = b.check[i - 1];
      }
      b.offset[0] = uint32_t(p + 1);
      b.check[0] = check_of(h);
    }
  }
  bool empty() const { return buckets_.empty(); }

  // Calls f(old offset) for the candidates for the string at p (8 readable bytes);
  // stops when f returns false.
  template <class F>
  void for_each(const uint8_t* p, F&& f) const {
    const uint64_t h = mix(load_le64(p));
    const Bucket& b = buckets_[bucket_of(h)];
    const uint8_t check = check_of(h);
    for (int i = 0; i < kWays && b.offset[i] != 0; ++i)
      if (b.check[i] == check && !f(uint64_t(b.offset[i] - 1))) return;
  }
  void prefetch(const uint8_t* p) const {
    __builtin_prefetch(&buckets_[bucket_of(mix(load_le64(p)))]);
  }

 private:
  static uint64_t mix(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }
  // The top bits scaled to the bucket count (Lemire's multiply-shift), so that any count
  // works; the check takes the next bits, which the bucket hardly depends on.
  size_t bucket_of(uint64_t h) const { return size_t(((h >> 32) * buckets_.size()) >> 32); }
  static uint8_t check_of(uint64_t h) { return uint8_t(h >> 32); }

  std::vector<Bucket> buckets_;
  uint64_t step_ = 1;
};

// The window's earlier 4-byte strings, hashed into cache-line buckets of kWays positions,
// newest first, each with a 7-bit check: a lookup costs one cache miss plus one per
// candidate whose check matches, and visits at most kWays candidates. Memory: 64 bytes per
// kLoad window bytes (5.3 bytes per byte, 45 MiB for the default 8 MiB window).
class TargetIndex {
 public:
  static constexpr int kWays = 16;
  static constexpr size_t kLoad = 12;

  void reset(size_t window) { buckets_.assign(window / kLoad + 1, Bucket{}); }
  void insert(const uint8_t* p, uint32_t pos) {  // pos < 2^24: windows are at most 16 MiB
    const uint64_t h = hash(p);
    Bucket& b = buckets_[bucket_of(h)];
    for (int i = kWays - 1; i > 0; --i) b.entry[i] = b.entry[i - 1];
    b.entry[0] = check_of(h) | (pos + 1);
  }
  // Calls f(window position) for the candidates for the string at p; stops when f
  // returns false.
  template <class F>
  void for_each(const uint8_t* p, F&& f) const {
    const uint64_t h = hash(p);
    const Bucket& b = buckets_[bucket_of(h)];
    const uint32_t check = check_of(h);
    for (int i = 0; i < kWays && b.entry[i] != 0; ++i)
      if ((b.entry[i] & ~kPosMask) == check && !f((b.entry[i] & kPosMask) - 1)) return;
  }
  void prefetch(const uint8_t* p) const { __builtin_prefetch(&buckets_[bucket_of(hash(p))]); }

 private:
  static constexpr uint32_t kPosMask = (1u << 25) - 1;
  struct alignas(64) Bucket {
    uint32_t entry[kWays] = {};  // check (top 7 bits) | (position + 1); 0 = empty
  };
  static uint64_t hash(const uint8_t* p) { return load_le32(p) * 0x9E3779B97F4A7C15ull; }
  size_t bucket_of(uint64_t h) const { return size_t(((h >> 32) * buckets_.size()) >> 32); }
  static uint32_t check_of(uint64_t h) { return uint32_t(h >> 32) << 25; }

  std::vector<Bucket> buckets_;
};

struct Op {
  enum Kind : uint8_t { kAdd, kRun, kCopySource, kCopyTarget };
  Kind kind;
  uint32_t size;
  uint64_t from;  // kCopySource: old offset; kCopyTarget: window offset; else unused
};

class WindowMatcher {
 public:
  // Candidates stop being compared once one reaches this length: bounds the work per
  // position on repetitive data (runs, repeated blocks) to a constant.
  static constexpr uint32_t kLongEnough = 1 << 12;
  static constexpr int kDiagonals = 4;
  static constexpr int32_t kMinGain = 1;  // bytes a COPY must save over ADDing its bytes
  static constexpr uint32_t kPrefetchDistance = 2;

  WindowMatcher(ByteView old_data, const SourceIndex& index) : old_(old_data), index_(index) {}

  // The operations that rebuild `window`, which starts at `window_start` in the new file.
  // Addresses are costed as if the source segment were the whole old file.
  std::vector<Op> match(ByteView window, uint64_t window_start) {
    t_ = window.data();
    w_ = uint32_t(window.size());
    abs_ = window_start;
    ops_.clear();
    cache_.reset();
    window_index_.reset(w_);
    inserted_ = 0;
    pending_ = 0;
    uint32_t pos = 0;
    while (pos + kMinCopy <= w_) {
      Candidate best = find(pos);
      if (best.gain() < kMinGain) {
        ++pos;
        continue;
      }
      while (best.end - best.start < kLongEnough && pos + 1 + kMinCopy <= w_) {
        Candidate next = find(pos + 1);
        if (next.gain() < kMinGain || next.score(pending_) <= best.score(pending_)) break;
        best = next;
        ++pos;
      }
      commit(best);
      pos = best.end;
    }
    if (pending_ < w_) ops_.push_back({Op::kAdd, w_ - pending_, 0});
    return std::move(ops_);
  }

 private:
  struct Candidate {
    Op::Kind kind = Op::kAdd;
    uint32_t start = 0, end = 0;  // window offsets
    uint64_t from = 0;            // at `start`
    uint32_t cost = ~0u >> 1;
    bool capped = false;  // compared only up to kLongEnough: finish() extends it
    int64_t gain() const { return int64_t(end) - start - cost; }
    // Bytes covered up to `end` minus bytes spent, counting pending bytes ADDed before it.
    int64_t score(uint32_t pending) const {
      return int64_t(end) - cost - (int64_t(start) - pending);
    }
  };

  // Proxy address space: the whole old file, then the window.
  uint64_t here(uint32_t pos) const { return old_.size() + pos; }

  Candidate find(uint32_t pos) {
    index_window(pos);
    const uint8_t* cur = t_ + pos;
    const size_t room = w_ - pos;
    // Lookups at the next positions follow unless a match is found: start their cache misses.
    if (room >= 8 + kPrefetchDistance) {
      if (!index_.empty()) index_.prefetch(cur + kPrefetchDistance);
      window_index_.prefetch(cur + kPrefetchDistance);
    }
    const size_t cap = std::min<size_t>(room, kLongEnough);
    Candidate best;
    auto better = [&](const Candidate& c) {
      if (c.score(pending_) > best.score(pending_) ||
          (c.score(pending_) == best.score(pending_) && c.end > best.end))
        best = c;
    };
    auto copy_candidate = [&](Op::Kind kind, const uint8_t* base, uint64_t from, size_t len) {
      // Extend backwards over pending bytes.
      uint32_t back = 0;
      while (back < pos - pending_ && back < from &&
             base[from - back - 1] == cur[-int64_t(back) - 1])
        ++back;
      Candidate c{kind, pos - back, pos + uint32_t(len), from - back, 0, len == kLongEnough};
      const uint64_t addr = kind == Op::kCopySource ? c.from : old_.size() + c.from;
      c.cost = copy_cost(c.end - c.start, choose_address(cache_, addr, here(c.start)).bytes);
      better(c);
    };

    if (cur[0] == cur[1] && cur[1] == cur[2] && cur[2] == cur[3]) {
      uint32_t len = 4;
      while (len < room && cur[len] == cur[0]) ++len;
      uint32_t back = 0;
      while (back < pos - pending_ && cur[-int64_t(back) - 1] == cur[0]) ++back;
      Candidate c{Op::kRun, pos - back, pos + len, 0, 0, false};
      c.cost = 2 + uint32_t(varint_size(c.end - c.start));
      better(c);
      if (len >= kLongEnough) return best;
    }
    const uint64_t abs_pos = abs_ + pos;
    for (int i = 0; i < diagonals_used_; ++i) {
      const int64_t s = int64_t(abs_pos) + diagonal_[size_t(i)];
      if (s < 0 || uint64_t(s) >= old_.size()) continue;
      const size_t len =
          common_prefix(old_.data() + s, cur, std::min<size_t>(cap, old_.size() - uint64_t(s)));
      if (len >= kMinCopy) copy_candidate(Op::kCopySource, old_.data(), uint64_t(s), len);
      if (len >= kLongEnough) return finish(best);
    }
    if (!index_.empty() && room >= 8) {
      bool long_enough = false;
      index_.for_each(cur, [&](uint64_t s) {
        const size_t len =
            common_prefix(old_.data() + s, cur, std::min<size_t>(cap, old_.size() - s));
        if (len >= kMinCopy) copy_candidate(Op::kCopySource, old_.data(), s, len);
        long_enough = len >= kLongEnough;
        return !long_enough;
      });
      if (long_enough) return finish(best);
    }
    if (room >= 4) {
      bool long_enough = false;
      window_index_.for_each(cur, [&](uint64_t from) {
        const size_t len = common_prefix(t_ + from, cur, cap);
        if (len >= kMinCopy) copy_candidate(Op::kCopyTarget, t_, from, len);
        long_enough = len >= kLongEnough;
        return !long_enough;
      });
      if (long_enough) return finish(best);
    }
    return best;
  }

  // Adds the window positions below `end` to the window index. Each insertion is a cache
  // miss; prefetching a few positions ahead overlaps them along a long COPY.
  void index_window(uint32_t end) {
    constexpr uint32_t kAhead = 8;
    end = std::min(end, w_ >= 4 ? w_ - 3 : 0);
    for (; inserted_ < end; ++inserted_) {
      if (inserted_ + kAhead < end) window_index_.prefetch(t_ + inserted_ + kAhead);
      window_index_.insert(t_ + inserted_, inserted_);
    }
  }

  // Extends a candidate cut at kLongEnough to its full length.
  Candidate finish(Candidate c) const {
    if (!c.capped) return c;
    const uint8_t* base = c.kind == Op::kCopySource ? old_.data() : t_;
    const uint64_t source_room = c.kind == Op::kCopySource ? old_.size() - c.from : w_ - c.from;
    const size_t have = c.end - c.start;
    const size_t room = size_t(std::min<uint64_t>(w_ - c.start, source_room));
    c.end = c.start + uint32_t(have + common_prefix(base + c.from + have, t_ + c.end, room - have));
    c.capped = false;
    return c;
  }

  void commit(Candidate c) {
    if (c.start == pending_ && c.kind != Op::kRun) take_back(c);
    if (c.start > pending_) ops_.push_back({Op::kAdd, c.start - pending_, 0});
    ops_.push_back({c.kind, c.end - c.start, c.from});
    if (c.kind == Op::kCopySource) {
      cache_.update(c.from);
      remember_diagonal(int64_t(c.from) - int64_t(abs_ + c.start));
    } else if (c.kind == Op::kCopyTarget) {
      cache_.update(old_.size() + c.from);
    }
    pending_ = c.end;
    index_window(c.end);
  }

  // Lets a COPY that could extend further back take over the operations before it, when
  // it swallows at least one whole one: greedy parsing commits a short match, and the
  // long one it hid starts a few bytes back (xdelta3 reconsiders these too).
  void take_back(Candidate& c) {
    const uint8_t* base = c.kind == Op::kCopySource ? old_.data() : t_;
    const uint32_t limit = uint32_t(std::min<uint64_t>({kLongEnough, c.start, c.from}));
    uint32_t back = 0;
    while (back < limit && base[c.from - back - 1] == t_[c.start - back - 1]) ++back;
    if (back == 0 || ops_.empty() || back < ops_.back().size) return;
    const uint32_t start = c.start - back;
    while (!ops_.empty() && pending_ - ops_.back().size >= start) {
      pending_ -= ops_.back().size;
      ops_.pop_back();
    }
    if (pending_ > start) {  // the operation before keeps its head; a COPY or RUN needs 4 bytes
      Op& last = ops_.back();
      last.size -= pending_ - start;
      if (last.kind != Op::kAdd && last.size < kMinCopy) {
        last.kind = Op::kAdd;
        if (ops_.size() >= 2 && ops_[ops_.size() - 2].kind == Op::kAdd) {
          ops_[ops_.size() - 2].size += last.size;
          ops_.pop_back();
        }
      }
      pending_ = start;
    }
    c.from -= c.start - pending_;
    c.start = pending_;
  }

  void remember_diagonal(int64_t d) {
    int i = 0;
    while (i < diagonals_used_ && diagonal_[size_t(i)] != d) ++i;
    if (i == diagonals_used_ && diagonals_used_ < kDiagonals) ++diagonals_used_;
    for (int j = std::min(i, kDiagonals - 1); j > 0; --j)
      diagonal_[size_t(j)] = diagonal_[size_t(j - 1)];
    diagonal_[0] = d;
  }

  ByteView old_;
  const SourceIndex& index_;
  TargetIndex window_index_;
  AddressCache cache_;
  std::vector<Op> ops_;
  std::array<int64_t, kDiagonals> diagonal_{};
  int diagonals_used_ = 0;  // diagonals carry over between windows: alignment persists
  const uint8_t* t_ = nullptr;
  uint32_t w_ = 0;
  uint64_t abs_ = 0;
  uint32_t inserted_ = 0;  // window_index_ holds positions below this
  uint32_t pending_ = 0;   // start of the bytes not yet covered by an operation
};

}  // namespace ota::delta::vcdiff
