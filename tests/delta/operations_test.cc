#include "delta/operations.h"

#include <gtest/gtest.h>

#include "delta/bsdiff.h"
#include "fakes/mem_storage.h"
#include "tools/test_data.h"

namespace ota::delta {
namespace {

struct Fixture : ::testing::Test {
  testing::MemStorage fs;
  Bytes old_data = testing::structured_bytes(300000, 21);
  Bytes new_data = testing::mutate(old_data, 22);
  void SetUp() override {
    fs.files["old"] = old_data;
    fs.files["new"] = new_data;
  }
  CreateRequest request(std::vector<Algorithm> algos) {
    CreateRequest r;
    r.old_path = "old";
    r.new_path = "new";
    r.out_path = "patch";
    r.algorithms = std::move(algos);
    return r;
  }
};

using DeltaOperations = Fixture;

TEST_F(DeltaOperations, AutoKeepsTheSmallestCandidateAndReportsAll) {
  auto made = create_patch(fs, request({Algorithm::kBsdiff, Algorithm::kZstd}));
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->candidates.size(), 2u);
  uint64_t smallest = std::min(*made->candidates[0].patch_size, *made->candidates[1].patch_size);
  EXPECT_EQ(made->patch_size, smallest);
  EXPECT_EQ(fs.files["patch"].size(), smallest);
}

TEST_F(DeltaOperations, CreateThenApplyVerifiesBothEnds) {
  for (Algorithm a : kAllAlgorithms) {
    ASSERT_TRUE(create_patch(fs, request({a})));
    ApplyRequest ar{"old", "patch", "out", {}, {}};
    auto applied = apply_patch(fs, ar);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_TRUE(applied->verified);
    EXPECT_EQ(applied->algorithm, a);
    EXPECT_EQ(fs.files["out"], new_data);
  }
}

TEST_F(DeltaOperations, WrongSourceIsRejectedBeforeAnyOutput) {
  ASSERT_TRUE(create_patch(fs, request({Algorithm::kBsdiff})));
  fs.files["other"] = testing::mutate(old_data, 99);
  auto applied = apply_patch(fs, ApplyRequest{"other", "patch", "out", {}, {}});
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, Errc::rejected);
  EXPECT_NE(applied.error().message.find("not the file this patch was made from"), std::string::npos);
  EXPECT_EQ(fs.files.count("out"), 0u);
  EXPECT_EQ(fs.files.size(), 4u);  // no temporary file left behind either
}

TEST_F(DeltaOperations, TamperedPayloadIsCaughtByTheTargetDigest) {
  // A BSDIFF40 diff stream byte flipped inside a valid bzip2 block would be caught by
  // bzip2's CRC; rewrite a whole valid patch for a different target instead.
  ASSERT_TRUE(create_patch(fs, request({Algorithm::kBsdiff})));
  Bytes genuine = fs.files["patch"];
  Bytes forged = bsdiff_encode(old_data, testing::mutate(new_data, 5))->bytes;
  forged.insert(forged.end(), genuine.end() - long(kTrailerBodyBytes), genuine.end());
  fs.files["patch"] = forged;
  auto applied = apply_patch(fs, ApplyRequest{"old", "patch", "out", {}, {}});
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, Errc::rejected);
  EXPECT_EQ(fs.files.count("out"), 0u);
}

TEST_F(DeltaOperations, ExistingOutputSurvivesAFailedApply) {
  fs.files["out"] = {1, 2, 3};
  fs.files["patch"] = {'B', 'S', 'D', 'I', 'F', 'F', '4', '0'};
  ASSERT_FALSE(apply_patch(fs, ApplyRequest{"old", "patch", "out", {}, {}}));
  EXPECT_EQ(fs.files["out"], (Bytes{1, 2, 3}));
}

TEST_F(DeltaOperations, DiskFullLeavesNoOutput) {
  ASSERT_TRUE(create_patch(fs, request({Algorithm::kZstd})));
  fs.fail_after_bytes = 1000;
  auto applied = apply_patch(fs, ApplyRequest{"old", "patch", "out", {}, {}});
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, Errc::no_space);
  EXPECT_EQ(fs.files.count("out"), 0u);
  EXPECT_EQ(fs.files.size(), 3u);
}

TEST_F(DeltaOperations, RefusesToOverwriteAnInput) {
  auto r = create_patch(fs, [&] { auto q = request({Algorithm::kZstd}); q.out_path = "old"; return q; }());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(fs.files["old"], old_data);
}

TEST_F(DeltaOperations, MissingInputNamesTheOption) {
  auto q = request({Algorithm::kZstd});
  q.old_path = "absent";
  auto r = create_patch(fs, q);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(r.error().message, "reading --from: 'absent' does not exist");
}

TEST_F(DeltaOperations, NoTrailerMeansPlainPeerFormat) {
  auto q = request({Algorithm::kBsdiff});
  q.encode.trailer = false;
  ASSERT_TRUE(create_patch(fs, q));
  EXPECT_EQ(fs.files["patch"], bsdiff_encode(old_data, new_data)->bytes);
  auto applied = apply_patch(fs, ApplyRequest{"old", "patch", "out", {}, {}});
  ASSERT_TRUE(applied);
  EXPECT_FALSE(applied->verified);
}

TEST_F(DeltaOperations, InfoReadsTheTrailer) {
  ASSERT_TRUE(create_patch(fs, request({Algorithm::kZstd})));
  auto info = inspect_patch(fs, "patch");
  ASSERT_TRUE(info);
  ASSERT_TRUE(info->trailer);
  EXPECT_EQ(info->trailer->old_size, old_data.size());
  EXPECT_EQ(info->trailer->new_sha256, crypto::sha256(new_data));
  ASSERT_TRUE(info->zstd);
  EXPECT_EQ(info->zstd->content_size, new_data.size());
}

TEST(DetectFormat, NamesWhatItFound) {
  EXPECT_EQ(*detect_format(Bytes{0xD6, 0xC3, 0xC4, 0}), Algorithm::kVcdiff);
  EXPECT_EQ(detect_format(Bytes{0xD6, 0xC3, 0xC4, 1}).error().code, Errc::unsupported);  // VCDIFF version 1
  auto r = detect_format(Bytes{'P', 'K', 3, 4});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("50 4b 03 04"), std::string::npos);
  EXPECT_EQ(detect_format(Bytes{}).error().code, Errc::corrupt);
}

}  // namespace
}  // namespace ota::delta
