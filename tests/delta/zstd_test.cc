#include "delta/zstd_delta.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include "tools/test_data.h"

namespace ota::delta {
namespace {

Result<Bytes> patch_apply(const Bytes& old_data, const Bytes& patch, ApplyLimits limits = {}) {
  io::VectorWriter out;
  auto n = zstd_apply(old_data, patch, out, limits);
  if (!n) return std::move(n).error();
  return std::move(out.bytes);
}

class ZstdRoundTrip : public ::testing::TestWithParam<size_t> {};

TEST_P(ZstdRoundTrip, ApplyRebuildsTheTarget) {
  Bytes old_data = testing::structured_bytes(GetParam(), 11);
  Bytes new_data = testing::mutate(old_data, 12);
  auto patch = zstd_encode(old_data, new_data, 19);
  ASSERT_TRUE(patch) << patch.error().message;
  auto rebuilt = patch_apply(old_data, *patch);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, new_data);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ZstdRoundTrip,
                         ::testing::Values(size_t(0), size_t(1), size_t(4096), size_t(1) << 20,
                                           size_t(3) << 20));

TEST(ZstdEncode, IsDeterministicAndReferencesTheSource) {
  Bytes o = testing::random_bytes(300000, 1), n = testing::mutate(o, 2);
  auto a = zstd_encode(o, n, 19), b = zstd_encode(o, n, 19);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_LT(a->size(), n.size() / 10);  // random data: only the prefix makes it small
}

TEST(ZstdEncode, RejectsLevelsOutOfRange) {
  auto r = zstd_encode({}, {}, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(ZstdApply, WrongSourceFailsTheChecksum) {
  Bytes o = testing::random_bytes(100000, 3), n = testing::mutate(o, 4);
  Bytes patch = *zstd_encode(o, n, 19);
  Bytes other = testing::random_bytes(100000, 99);
  auto r = patch_apply(other, patch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
  EXPECT_NE(r.error().message.find("not"), std::string::npos);
}

TEST(ZstdApply, RejectsTruncatedFrames) {
  Bytes o = testing::random_bytes(100000, 3), n = testing::mutate(o, 4);
  Bytes patch = *zstd_encode(o, n, 19);
  for (size_t cut : {size_t(3), size_t(10), patch.size() / 2, patch.size() - 1}) {
    auto r = patch_apply(o, Bytes(patch.begin(), patch.begin() + long(cut)));
    ASSERT_FALSE(r) << cut;
    EXPECT_EQ(r.error().code, Errc::corrupt) << cut;
  }
}

TEST(ZstdApply, RejectsTwoDataFrames) {
  Bytes o = testing::random_bytes(1000, 3);
  Bytes patch = *zstd_encode(o, o, 3);
  Bytes twice = patch;
  twice.insert(twice.end(), patch.begin(), patch.end());
  auto r = patch_apply(o, twice);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
}

TEST(ZstdApply, SkipsSkippableFrames) {
  Bytes o = testing::random_bytes(1000, 3), n = testing::mutate(o, 5);
  Bytes patch = {0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
  Bytes frame = *zstd_encode(o, n, 3);
  patch.insert(patch.end(), frame.begin(), frame.end());
  auto r = patch_apply(o, patch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, n);
}

TEST(ZstdApply, RefusesDeclaredSizeOverTheLimit) {
  Bytes n(1 << 20, 0);
  Bytes patch = *zstd_encode({}, n, 1);
  auto r = patch_apply({}, patch, ApplyLimits{.max_output_bytes = 1000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

// A frame without a declared size that inflates past --max-output: a zstd bomb.
TEST(ZstdApply, StopsAnUndeclaredBombAtTheLimit) {
  Bytes zeros(8 << 20, 0);
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  Bytes out(ZSTD_compressBound(zeros.size()));
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  ZSTD_inBuffer ib{zeros.data(), zeros.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(c);
  out.resize(ob.pos);
  auto r = patch_apply({}, out, ApplyLimits{.max_output_bytes = 1 << 20});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

TEST(ZstdApply, RefusesAHugeWindowTheInputsDoNotJustify) {
  // Frame header: magic, descriptor with no single-segment flag, window descriptor
  // asking for 2^31 bytes, then an empty raw last block.
  Bytes patch = {0x28, 0xB5, 0x2F, 0xFD, 0x00, uint8_t((31 - 10) << 3), 0x01, 0x00, 0x00};
  auto r = patch_apply({}, patch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

}  // namespace
}  // namespace ota::delta
