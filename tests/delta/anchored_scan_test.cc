// Anchored matching (lib/delta/anchored_scan.cc) on inputs of a few MiB: it has no
// size threshold of its own, so every path runs here. The control stream is checked
// and applied with bsdiff's semantics, strictly: every copy must lie inside the source.
#include "delta/anchored_scan.h"

#include <gtest/gtest.h>

#include "delta/operations.h"
#include "tools/test_data.h"

namespace ota::delta::detail {
namespace {

class CollectingSink final : public ScanSink {
 public:
  struct Entry {
    int64_t copy, extra, seek;
  };
  uint8_t* extend_diff(size_t n) override {
    diff.resize(diff.size() + n);
    return diff.data() + diff.size() - n;
  }
  void append_extra(const uint8_t* data, size_t n) override { extra.insert(extra.end(), data, data + n); }
  void control(int64_t c, int64_t e, int64_t s) override { entries.push_back({c, e, s}); }

  // bsdiff's decoder, with every range checked.
  Bytes apply(ByteView old_data, size_t new_size, std::string& error) const {
    Bytes out;
    size_t d = 0, x = 0;
    int64_t pos = 0;
    for (const auto& en : entries) {
      if (en.copy < 0 || en.extra < 0 || pos < 0 || pos + en.copy > int64_t(old_data.size())) {
        error = "copy outside the source at entry " + std::to_string(&en - entries.data()) + " (pos " +
                std::to_string(pos) + ", copy " + std::to_string(en.copy) + ", source " +
                std::to_string(old_data.size()) + ")";
        return {};
      }
      for (int64_t i = 0; i < en.copy; ++i) out.push_back(uint8_t(diff.at(d++) + old_data[size_t(pos + i)]));
      for (int64_t i = 0; i < en.extra; ++i) out.push_back(extra.at(x++));
      pos += en.copy + en.seek;
    }
    if (d != diff.size() || x != extra.size() || out.size() != new_size) error = "streams not used up";
    return out;
  }

  Bytes diff, extra;
  std::vector<Entry> entries;
};

const AnchoredParams kParams;

// A "file system": blocks of structured data that move, change and appear between
// versions, as files do in an OS image update.
std::pair<Bytes, Bytes> fs_like(size_t blocks, uint64_t seed) {
  std::vector<Bytes> files;
  for (size_t i = 0; i < blocks; ++i) files.push_back(testing::structured_bytes(40000 + (i * 7919) % 30000, seed + i));
  Bytes old_image, new_image;
  for (const auto& f : files) old_image.insert(old_image.end(), f.begin(), f.end());
  // New: reversed order (every file moves far), every 5th changed, every 7th replaced.
  for (size_t k = files.size(); k-- > 0;) {
    Bytes f = files[k];
    if (k % 7 == 3) f = testing::random_bytes(f.size(), seed * 31 + k);
    else if (k % 5 == 1) f = testing::mutate(f, seed + 100 + k);
    new_image.insert(new_image.end(), f.begin(), f.end());
  }
  return {old_image, new_image};
}

TEST(AnchoredScan, RebuildsTargetsWhoseContentMovedAcrossTheSource) {
  auto [old_image, new_image] = fs_like(90, 7);  // ~5 MiB, every file moved
  CollectingSink sink;
  ASSERT_TRUE(anchored_scan(old_image, new_image, kParams, sink, {}));
  std::string error;
  const Bytes out = sink.apply(old_image, new_image.size(), error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(out, new_image);
  // The moved files were found: literal (extra) bytes are about the replaced files only.
  EXPECT_LT(sink.extra.size(), new_image.size() / 4);
}

TEST(AnchoredScan, CompressedSizeIsCloseToTheSuffixArrayScan) {
  // The same pair through the full suffix-array scan: anchored matching may find
  // fewer short matches, but the patch must stay in the same class.
  auto [old_image, new_image] = fs_like(60, 11);
  auto full = encode_patch(Algorithm::kOta, old_image, new_image, {});
  CollectingSink sink;
  ASSERT_TRUE(anchored_scan(old_image, new_image, kParams, sink, {}));
  ASSERT_TRUE(full);
  size_t nonzero = 0;
  for (uint8_t b : sink.diff) nonzero += b != 0;
  // Literal and changed bytes bound what any coder must spend.
  EXPECT_LT(sink.extra.size() + nonzero, 3 * full->bytes.size()) << full->bytes.size();
}

TEST(AnchoredScan, EdgeSizesRoundTrip) {
  const Bytes some = testing::structured_bytes(300 << 10, 3);
  const std::vector<std::pair<Bytes, Bytes>> pairs = {
      {{}, {}}, {{}, some}, {some, {}}, {some, testing::mutate(some, 4)},
      {Bytes(700 << 10, 0), Bytes(900 << 10, 0)},  // one-byte runs: anchors deduplicated
      {testing::random_bytes(1 << 20, 5), testing::random_bytes(1 << 20, 6)},  // nothing shared
  };
  for (const auto& [o, n] : pairs) {
    CollectingSink sink;
    ASSERT_TRUE(anchored_scan(o, n, kParams, sink, {}));
    std::string error;
    EXPECT_EQ(sink.apply(o, n.size(), error), n);
    EXPECT_EQ(error, "");
  }
}

TEST(AnchoredScan, Deterministic) {
  auto [old_image, new_image] = fs_like(40, 9);
  CollectingSink a, b;
  ASSERT_TRUE(anchored_scan(old_image, new_image, kParams, a, {}));
  ASSERT_TRUE(anchored_scan(old_image, new_image, kParams, b, {}));
  EXPECT_EQ(a.diff, b.diff);
  EXPECT_EQ(a.extra, b.extra);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].copy, b.entries[i].copy);
    EXPECT_EQ(a.entries[i].seek, b.entries[i].seek);
  }
}

}  // namespace
}  // namespace ota::delta::detail
