#include "delta/bsdiff.h"

#include <gtest/gtest.h>

#include "delta/bsdiff_header.h"
#include "delta/craft.h"
#include "tools/test_data.h"

namespace ota::delta {
namespace {

using testing::craft_bsdiff;
using testing::Entry;

Result<Bytes> patch_apply(const Bytes& old_data, const Bytes& patch, ApplyLimits limits = {}) {
  io::VectorWriter out;
  auto n = bsdiff_apply(old_data, patch, out, limits);
  if (!n) return std::move(n).error();
  EXPECT_EQ(*n, out.bytes.size());
  return std::move(out.bytes);
}

struct Case {
  const char* kind;
  size_t size;
};

class BsdiffRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(BsdiffRoundTrip, ApplyRebuildsTheTarget) {
  const auto [kind, size] = GetParam();
  Bytes old_data = std::string(kind) == "random" ? testing::random_bytes(size, 7)
                                                 : testing::structured_bytes(size, 7);
  Bytes new_data = testing::mutate(old_data, 8);
  auto patch = bsdiff_encode(old_data, new_data);
  ASSERT_TRUE(patch) << patch.error().message;
  auto rebuilt = patch_apply(old_data, patch->bytes);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, new_data);
  if (size >= 4096 && std::string(kind) == "structured") {
    EXPECT_LT(patch->bytes.size(), new_data.size() / 4);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, BsdiffRoundTrip,
                         ::testing::Values(Case{"random", 0}, Case{"random", 1},
                                           Case{"random", 4096}, Case{"structured", 4096},
                                           Case{"random", 1 << 20}, Case{"structured", 1 << 20},
                                           Case{"structured", 3 << 20}),
                         [](const auto& test) {
                           return std::string(test.param.kind) + "_" + std::to_string(test.param.size);
                         });

TEST(BsdiffEncode, EmptySourceAndEmptyTargetRoundTrip) {
  Bytes some = testing::random_bytes(1000, 1);
  const std::vector<std::pair<Bytes, Bytes>> pairs = {{{}, some}, {some, {}}, {{}, {}}};
  for (const auto& [o, n] : pairs) {
    auto patch = bsdiff_encode(o, n);
    ASSERT_TRUE(patch);
    auto rebuilt = patch_apply(o, patch->bytes);
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
    EXPECT_EQ(*rebuilt, n);
  }
}

TEST(BsdiffEncode, IsDeterministic) {
  Bytes o = testing::structured_bytes(200000, 3), n = testing::mutate(o, 4);
  EXPECT_EQ(bsdiff_encode(o, n)->bytes, bsdiff_encode(o, n)->bytes);
}

TEST(BsdiffHeader, OfftRoundTripsSignMagnitude) {
  for (int64_t v : {int64_t(0), int64_t(1), int64_t(-1), int64_t(1) << 40, -(int64_t(1) << 62),
                    INT64_MAX}) {
    uint8_t b[8];
    store_offt(b, v);
    EXPECT_EQ(load_offt(b), v);
  }
  uint8_t negative_zero[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
  EXPECT_EQ(load_offt(negative_zero), 0);
}

TEST(BsdiffApply, RejectsTruncatedHeader) {
  Bytes patch = {'B', 'S', 'D', 'I', 'F', 'F', '4', '0', 1, 2};
  auto r = patch_apply({}, patch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
}

TEST(BsdiffApply, RejectsNegativeHeaderLengths) {
  Bytes patch = craft_bsdiff({}, {}, {}, 0);
  patch[15] |= 0x80;  // control length negative
  auto r = patch_apply({}, patch);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("negative length"), std::string::npos);
}

TEST(BsdiffApply, RejectsStreamLengthsPastTheEndOfThePatch) {
  Bytes patch = craft_bsdiff({{1, 0, 0}}, {0}, {}, 1);
  store_offt(patch.data() + 16, INT64_MAX);  // diff length would overflow any offset sum
  auto r = patch_apply({1}, patch);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("truncated patch"), std::string::npos);
}

TEST(BsdiffApply, RejectsNegativeControlLengths) {
  auto r = patch_apply({1, 2, 3}, craft_bsdiff({{-1, 0, 0}}, {}, {}, 3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
  EXPECT_NE(r.error().message.find("control entry 0 has a negative length"), std::string::npos);
}

// CVE-2014-9862: bspatch trusted the extra length and wrote past the new buffer.
TEST(BsdiffApply, RejectsControlEntryWritingPastNewSize) {
  auto r = patch_apply({1, 2, 3}, craft_bsdiff({{0, 100, 0}}, {}, Bytes(100, 7), 10));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("past the declared new size"), std::string::npos);
  r = patch_apply({1, 2, 3}, craft_bsdiff({{INT64_MAX, INT64_MAX, 0}}, {}, {}, 10));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("past the declared new size"), std::string::npos);
}

TEST(BsdiffApply, RejectsReadsPastTheEndOfTheSource) {
  auto r = patch_apply(Bytes(4, 1), craft_bsdiff({{8, 0, 0}}, Bytes(8, 0), {}, 8));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("outside the 4-byte source"), std::string::npos);
}

TEST(BsdiffApply, RejectsSeekBeforeTheStartOfTheSource) {
  auto r = patch_apply(Bytes(16, 1), craft_bsdiff({{0, 0, -5}, {4, 0, 0}}, Bytes(4, 0), {}, 4));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("outside the 16-byte source"), std::string::npos);
}

TEST(BsdiffApply, RejectsSeekOverflow) {
  auto r = patch_apply(Bytes(16, 1), craft_bsdiff({{1, 0, INT64_MAX}, {1, 0, INT64_MAX}}, Bytes(2, 0), {}, 2));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("out of range"), std::string::npos);
}

TEST(BsdiffApply, RejectsTruncatedStreams) {
  Bytes o = testing::structured_bytes(50000, 5), n = testing::mutate(o, 6);
  Bytes patch = bsdiff_encode(o, n)->bytes;
  for (size_t cut : {size_t(40), patch.size() / 2, patch.size() - 1}) {
    Bytes truncated(patch.begin(), patch.begin() + long(cut));
    auto r = patch_apply(o, truncated);
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error().code, Errc::corrupt);
  }
}

TEST(BsdiffApply, RejectsEveryFlippedStreamByteOrProducesSomeOutputWithoutCrashing) {
  Bytes o = testing::structured_bytes(20000, 9), n = testing::mutate(o, 10);
  Bytes patch = bsdiff_encode(o, n)->bytes;
  int rejected = 0;
  for (size_t i = 32; i < patch.size(); i += 7) {
    Bytes bad = patch;
    bad[i] ^= 0x5a;
    rejected += !patch_apply(o, bad);
  }
  EXPECT_GT(rejected, 0);  // bzip2 block CRCs catch most flips
}

TEST(BsdiffApply, RefusesDeclaredOutputOverTheLimit) {
  Bytes patch = craft_bsdiff({}, {}, {}, int64_t(1) << 40);
  auto r = patch_apply({}, patch, ApplyLimits{.max_output_bytes = 1 << 20});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

TEST(BsdiffApply, RejectsARunOfEmptyControlEntries) {
  std::vector<Entry> entries(5000, Entry{0, 0, 0});
  auto r = patch_apply({}, craft_bsdiff(entries, {}, {}, 1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("hostile"), std::string::npos);
}

TEST(BsdiffApply, ControlStreamEndingEarlyIsReported) {
  auto r = patch_apply(Bytes(8, 1), craft_bsdiff({{4, 0, 0}}, Bytes(4, 0), {}, 8));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("control stream ends"), std::string::npos);
}

}  // namespace
}  // namespace ota::delta

namespace ota::delta {
namespace {

TEST(BsdiffEncode, ThoroughIsNeverLargerThanClassicAndStillApplies) {
  Bytes o = testing::structured_bytes(400000, 31), n = testing::mutate(o, 32);
  auto classic = bsdiff_encode(o, n);
  auto thorough = bsdiff_encode(o, n, BsdiffParams{kThoroughMatchGains});
  ASSERT_TRUE(classic && thorough);
  EXPECT_EQ(classic->match_gain, kClassicMatchGain);
  EXPECT_LE(thorough->bytes.size(), classic->bytes.size());
  io::VectorWriter out;
  ASSERT_TRUE(bsdiff_apply(o, thorough->bytes, out, {}));
  EXPECT_EQ(out.bytes, n);
  // Deterministic whichever scan finishes first.
  EXPECT_EQ(bsdiff_encode(o, n, BsdiffParams{kThoroughMatchGains})->bytes, thorough->bytes);
}

}  // namespace
}  // namespace ota::delta
