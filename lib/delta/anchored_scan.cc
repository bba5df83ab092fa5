#include "delta/anchored_scan.h"

#include <algorithm>
#include <array>
#include <vector>

namespace ota::delta::detail {
namespace {

// Gear rolling hash (as in FastCDC): h = (h << 1) + G[byte]. After 64 bytes, h depends
// on the last 64 bytes only; an anchor is a position whose top 7 bits are zero.
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
constexpr int kAnchorShift = 57;      // 1 anchor in 128 positions
constexpr uint64_t kWarmupBytes = 64;  // the hash window
constexpr int kMaxCandidates = 4;     // source positions tried per anchor

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
    if ((h >> kAnchorShift) != 0 || i + 1 < kWarmupBytes) continue;
    const uint32_t key = anchor_key(h);
    if (have_last && key == last_key) continue;
    anchors.push_back(uint64_t(key) << 32 | uint32_t(i));
    last_key = key;
    have_last = true;
  }
  std::sort(anchors.begin(), anchors.end());
  return anchors;
}

// Walks the target's anchors left to right and yields verified, extended matches that
// do not overlap: each one starts at or after the end of the one before.
class AnchorMatches final : public MatchSource {
 public:
  AnchorMatches(ByteView old_data, ByteView new_data, const std::vector<uint64_t>& anchors, uint64_t min_match)
      : old_(old_data), new_(new_data), anchors_(anchors), min_match_(min_match) {}

  bool next(ExactMatch& out) override {
    const uint8_t* o = old_.data();
    const uint8_t* n = new_.data();
    const uint64_t old_size = old_.size(), new_size = new_.size();
    for (; i_ < new_size; ++i_) {
      h_ = (h_ << 1) + kGear[n[i_]];
      if (++hashed_ < kWarmupBytes || (h_ >> kAnchorShift) != 0) continue;
      const uint64_t probe = uint64_t(anchor_key(h_)) << 32;
      ExactMatch best{0, 0, 0};
      auto it = std::lower_bound(anchors_.begin(), anchors_.end(), probe);
      for (int c = 0; c < kMaxCandidates && it != anchors_.end() && (*it >> 32) == (probe >> 32); ++c, ++it) {
        const uint64_t p = uint32_t(*it);
        const uint64_t fwd = uint64_t(common_prefix(o + p, n + i_, int64_t(std::min(old_size - p, new_size - i_))));
        if (fwd == 0) continue;  // a hash collision
        uint64_t bwd = 0;
        while (bwd < p && bwd < i_ - end_ && o[p - bwd - 1] == n[i_ - bwd - 1]) ++bwd;
        if (bwd + fwd > best.length) best = ExactMatch{i_ - bwd, p - bwd, bwd + fwd};
      }
      if (best.length < min_match_) continue;
      // Continue after the match with a fresh hash window.
      end_ = i_ = best.new_offset + best.length;
      h_ = 0;
      hashed_ = 0;
      out = best;
      return true;
    }
    return false;
  }

 private:
  ByteView old_, new_;
  const std::vector<uint64_t>& anchors_;
  uint64_t min_match_;
  uint64_t i_ = 0, end_ = 0, h_ = 0, hashed_ = 0;
};

}  // namespace

Result<void> anchored_scan(ByteView old_data, ByteView new_data, const AnchoredParams& p, ScanSink& sink,
                           const ProgressFn& progress) {
  if (old_data.size() >= (uint64_t(1) << 32))
    return Error{Errc::unsupported, "sources of 4 GiB or more are not supported"};
  const std::vector<uint64_t> anchors = index_anchors(old_data);
  AnchorMatches matches(old_data, new_data, anchors, std::max<uint64_t>(p.min_match, 1));
  match_scan(matches, old_data, new_data, p.match_gain, sink, progress);
  return {};
}

}  // namespace ota::delta::detail
