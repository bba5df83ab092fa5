#include "delta/segmented_scan.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace ota::delta::detail {
namespace {

// Gear rolling hash (as in FastCDC): h = (h << 1) + G[byte]. The top bits depend on
// the last ~64 bytes; an anchor is a position whose top 7 bits are zero (1 in 128).
constexpr std::array<uint64_t, 256> make_gear() {
  std::array<uint64_t, 256> g{};
  uint64_t x = 0x6f74612d64656c74ull;  // "ota-delt", splitmix64: fixed for every build
  for (auto& v : g) {
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    v = z ^ (z >> 31);
  }
  return g;
}
constexpr std::array<uint64_t, 256> kGear = make_gear();
constexpr int kAnchorShift = 57;
constexpr size_t kWarmupBytes = 64;

inline uint32_t anchor_key(uint64_t h) { return uint32_t(h >> 25); }

// (key << 32 | position) of every anchor of the source, sorted. Runs of one key (long
// runs of one byte value) keep only their first anchor.
std::vector<uint64_t> index_anchors(ByteView old_data) {
  std::vector<uint64_t> anchors;
  anchors.reserve(old_data.size() / 100 + 16);
  uint64_t h = 0;
  uint32_t last_key = 0;
  bool have_last = false;
  for (size_t i = 0; i < old_data.size(); ++i) {
    h = (h << 1) + kGear[old_data[i]];
    if ((h >> kAnchorShift) != 0 || i < kWarmupBytes) continue;
    const uint32_t key = anchor_key(h);
    if (have_last && key == last_key) continue;
    anchors.push_back(uint64_t(key) << 32 | uint32_t(i));
    last_key = key;
    have_last = true;
  }
  std::sort(anchors.begin(), anchors.end());
  return anchors;
}

struct Run {
  uint64_t old_offset, virt_offset, length;
};

// Rewrites control entries against the window (a concatenation of source runs) into
// entries against the source. A copy that crosses runs becomes several copies. Each
// entry's seek is only known once the next copy's start is, so one entry is held back.
class TranslatingSink final : public ScanSink {
 public:
  explicit TranslatingSink(ScanSink& out) : out_(out) {}

  void start_segment(std::vector<Run> runs) {
    runs_ = std::move(runs);
    vpos_ = 0;
  }
  uint8_t* extend_diff(size_t n) override { return out_.extend_diff(n); }
  void append_extra(const uint8_t* data, size_t n) override { out_.append_extra(data, n); }
  void control(int64_t copy, int64_t extra, int64_t seek) override {
    if (copy == 0) {
      begin(real(vpos_), 0);
    } else {
      for (int64_t left = copy; left > 0;) {
        const Run& r = run_at(vpos_);
        const uint64_t n = std::min<uint64_t>(uint64_t(left), r.virt_offset + r.length - vpos_);
        begin(r.old_offset + (vpos_ - r.virt_offset), n);
        vpos_ += n;
        left -= int64_t(n);
      }
    }
    pending_extra_ = extra;
    vpos_ = uint64_t(int64_t(vpos_) + seek);
  }
  void finish() {
    if (started_) out_.control(pending_copy_, pending_extra_, 0);
    started_ = false;
  }

 private:
  // A new copy of `n` bytes at source offset `at`: the held entry seeks to it.
  // The decoder starts at source offset 0: the first copy is reached by a leading
  // empty entry whose seek goes there.
  void begin(uint64_t at, uint64_t n) {
    out_.control(pending_copy_, pending_extra_, int64_t(at) - int64_t(pending_end_));
    started_ = true;
    pending_copy_ = int64_t(n);
    pending_extra_ = 0;
    pending_end_ = at + n;
  }
  const Run& run_at(uint64_t v) const {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), v,
                               [](uint64_t x, const Run& r) { return x < r.virt_offset; });
    return *(it - 1);  // the scan only copies inside the window
  }
  // Where the decoder stands for an empty copy at window offset v: any source offset
  // is valid; the mapped one keeps seeks short.
  uint64_t real(uint64_t v) const {
    if (runs_.empty()) return 0;
    const Run& last = runs_.back();
    if (v >= last.virt_offset + last.length) return last.old_offset + last.length;
    const Run& r = run_at(v);
    return r.old_offset + (v - r.virt_offset);
  }

  ScanSink& out_;
  std::vector<Run> runs_;
  uint64_t vpos_ = 0;
  bool started_ = false;  // whether a held entry exists beyond the leading empty one
  int64_t pending_copy_ = 0, pending_extra_ = 0;
  uint64_t pending_end_ = 0;
};

// The source blocks for one target segment: most votes first (ties: lower block)
// until 99% of the votes are covered, leaving out blocks with a single vote (content
// found everywhere: zeros, headers); then the blocks at the segment's own offsets;
// within the budget, in source order. A smaller window is a faster suffix sort.
std::vector<uint32_t> choose_blocks(const std::vector<uint32_t>& votes, uint64_t seg_start, uint64_t seg_end,
                                    const SegmentedParams& p, uint64_t old_size) {
  const size_t budget = std::max<size_t>(1, p.window_bytes / p.block_bytes);
  std::vector<uint32_t> voted;
  uint64_t total = 0;
  for (uint32_t b = 0; b < votes.size(); ++b)
    if (votes[b] > 1) {
      voted.push_back(b);
      total += votes[b];
    }
  std::stable_sort(voted.begin(), voted.end(), [&](uint32_t a, uint32_t b) { return votes[a] > votes[b]; });
  std::vector<uint32_t> chosen;
  uint64_t covered = 0;
  for (uint32_t b : voted) {
    if (chosen.size() == budget || covered * 100 >= total * 99) break;
    chosen.push_back(b);
    covered += votes[b];
  }
  const uint64_t nblocks = (old_size + p.block_bytes - 1) / p.block_bytes;
  // The segment's own offsets only fill up to the segment's size: a smaller window is
  // a faster suffix sort, and content with no votes rarely matches anyway.
  const size_t fill_to = std::min(budget, size_t((seg_end - seg_start + p.block_bytes - 1) / p.block_bytes));
  for (uint64_t b = seg_start / p.block_bytes; b * p.block_bytes < seg_end && b < nblocks && chosen.size() < fill_to;
       ++b)
    if (std::find(chosen.begin(), chosen.end(), uint32_t(b)) == chosen.end()) chosen.push_back(uint32_t(b));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace

Result<void> segmented_scan(ByteView old_data, ByteView new_data, const SegmentedParams& p, ScanSink& sink,
                            const ProgressFn& progress) {
  if (old_data.size() >= (uint64_t(1) << 32))
    return Error{Errc::unsupported, "sources of 4 GiB or more are not supported"};
  if (p.segment_bytes == 0 || p.block_bytes == 0 || p.window_bytes < p.block_bytes)
    return Error{Errc::invalid_argument, "bad segmented matching parameters"};
  const std::vector<uint64_t> anchors = index_anchors(old_data);
  const uint64_t nblocks = (old_data.size() + p.block_bytes - 1) / p.block_bytes;
  std::vector<uint32_t> votes(nblocks);
  TranslatingSink translate(sink);
  Bytes window;
  for (uint64_t seg = 0; seg < new_data.size() || (seg == 0 && new_data.empty()); seg += p.segment_bytes) {
    const uint64_t seg_end = std::min<uint64_t>(new_data.size(), seg + p.segment_bytes);
    // Votes of this segment's anchors (the hash warms up on the bytes before it).
    std::fill(votes.begin(), votes.end(), 0);
    uint64_t h = 0;
    for (uint64_t i = seg >= kWarmupBytes ? seg - kWarmupBytes : 0; i < seg_end; ++i) {
      h = (h << 1) + kGear[new_data[i]];
      if (i < seg || (h >> kAnchorShift) != 0) continue;
      const uint64_t probe = uint64_t(anchor_key(h)) << 32;
      auto it = std::lower_bound(anchors.begin(), anchors.end(), probe);
      for (int n = 0; n < 4 && it != anchors.end() && (*it >> 32) == (probe >> 32); ++n, ++it)
        ++votes[uint32_t(*it) / p.block_bytes];
    }
    // The window: chosen blocks, adjacent ones merged into runs.
    const std::vector<uint32_t> blocks = choose_blocks(votes, seg, seg_end, p, old_data.size());
    std::vector<Run> runs;
    window.clear();
    for (uint32_t b : blocks) {
      const uint64_t off = uint64_t(b) * p.block_bytes;
      const uint64_t len = std::min<uint64_t>(p.block_bytes, old_data.size() - off);
      if (!runs.empty() && runs.back().old_offset + runs.back().length == off)
        runs.back().length += len;
      else
        runs.push_back(Run{off, window.size(), len});
      window.insert(window.end(), old_data.begin() + long(off), old_data.begin() + long(off + len));
    }
    auto index = SourceIndex::build(window);
    if (!index) return std::move(index).error();
    translate.start_segment(std::move(runs));
    ProgressFn seg_progress;
    if (progress)
      seg_progress = [&, seg](uint64_t done, uint64_t) { progress(seg + done, new_data.size()); };
    bsdiff_scan(**index, window, new_data.subspan(seg, seg_end - seg), p.match_gain, translate, seg_progress,
                p.max_match);
    if (new_data.empty()) break;
  }
  translate.finish();
  return {};
}

}  // namespace ota::delta::detail
