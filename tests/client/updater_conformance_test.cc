// Ports of the tuf-conformance scenarios (docs/notes/ota-fetch-tests.md §2.3-2.5,
// docs/notes/ota-fetch-gaps.md §5-6), written from the behaviour the suite checks and run
// against an in-memory repository (tests/fakes/repo_sim.h) without sockets: the exact
// metadata requests, and what the metadata directory holds afterwards.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/updater.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "fakes/repo_sim.h"
#include "io/posix_storage.h"
#include "metadata/envelope.h"

namespace ota::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::MemRepoSource;
using testing::RepoSim;
using testing::SimDelegation;
using testing::SimKey;
using Req = MemRepoSource::Request;
using Roles = std::vector<std::pair<std::string, uint64_t>>;

constexpr metadata::Time kNow = 1'800'000'000;  // 2027-01-15
constexpr metadata::Time kDay = 86400;
constexpr std::nullopt_t kNoVersion = std::nullopt;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string sha256_hex(const std::string& s) {
  return to_hex(crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size())));
}

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-conformance-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    state_ = dir_ / "metadata";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One client run: the device's anchor is the repository's first root.
  std::unique_ptr<Updater> started(metadata::Time now = kNow) {
    auto u = std::make_unique<Updater>(source_, fs_, state_, now);
    auto ok = u->start(bytes_of(sim_.published.at("root").at(1)));
    EXPECT_TRUE(ok) << ok.error().message;
    return u;
  }
  Result<void> refresh(metadata::Time now = kNow) {
    Updater u(source_, fs_, state_, now);
    OTA_TRY(u.start(bytes_of(sim_.published.at("root").at(1))));
    return u.refresh();
  }
  Result<Bytes> download(const std::string& path, metadata::Time now = kNow) {
    Updater u(source_, fs_, state_, now);
    OTA_TRY(u.start(bytes_of(sim_.published.at("root").at(1))));
    OTA_TRY(u.refresh());
    auto info = u.find_target(path);
    if (!info) return std::move(info).error();
    return u.download_target(*info);
  }
  Roles trusted() const { return testing::trusted_roles(state_); }
  std::string stored(const std::string& file) const {
    std::ifstream in(state_ / file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool has(const std::string& file) const { return fs::exists(state_ / file); }
  // Adds a custom field to `role` so that its signed file is exactly `size` bytes.
  void pad_to(const std::string& role, size_t size) {
    sim_.mds[role]["x-pad"] = "";
    const size_t base = sim_.sign(role).size();
    ASSERT_LE(base, size);
    sim_.mds[role]["x-pad"] = std::string(size - base, 'x');
    ASSERT_EQ(sim_.sign(role).size(), size);
  }

  io::PosixStorage fs_;
  fs::path dir_, state_;
  RepoSim sim_{kNow};
  MemRepoSource source_{sim_};
};

// ---------------------------------------------------------------- test_basic.py

TEST_F(Conformance, FirstRefreshRequestsRootTimestampSnapshotTargets) {
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}, {"snapshot", 1}, {"targets", 1}}));
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 1}, {"targets", 1}, {"timestamp", 1}}));
  for (const auto& role : metadata::kTopLevelRoles) EXPECT_EQ(stored(role + ".json"), sim_.published[role][1]) << role;
}

TEST_F(Conformance, WithoutConsistentSnapshotsRolesAreRequestedUnversioned) {
  sim_.set_consistent_snapshot(false);
  sim_.publish({"root"}, false);
  ASSERT_TRUE(refresh());
  EXPECT_EQ(source_.requests,
            (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}, {"snapshot", kNoVersion}, {"targets", kNoVersion}}));
}

TEST_F(Conformance, InitialRootWithoutVersionFailsWithoutAnyRequest) {
  json root = sim_.mds["root"];
  root.erase("version");
  Updater u(source_, fs_, state_, kNow);
  EXPECT_FALSE(u.start(bytes_of(sim_.sign(root, sim_.signers["root"]))));
  EXPECT_FALSE(u.refresh());
  EXPECT_TRUE(source_.requests.empty());
}

TEST_F(Conformance, UnsignedInitialRootFailsWithoutAnyRequest) {
  Updater u(source_, fs_, state_, kNow);
  EXPECT_FALSE(u.start(bytes_of(sim_.sign(sim_.mds["root"], {}))));
  EXPECT_FALSE(u.refresh());
  EXPECT_TRUE(source_.requests.empty());
}

struct UnsignedCase {
  std::string role;
  Roles expected;
};
class UnsignedRole : public Conformance, public ::testing::WithParamInterface<UnsignedCase> {};

TEST_P(UnsignedRole, StopsTheRefreshWithTheEarlierRolesTrusted) {
  sim_.signers[GetParam().role].clear();
  sim_.publish({"root", "targets", "snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  EXPECT_EQ(trusted(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Roles, UnsignedRole,
    ::testing::Values(UnsignedCase{"root", {{"root", 1}}}, UnsignedCase{"timestamp", {{"root", 2}}},
                      UnsignedCase{"snapshot", {{"root", 2}, {"timestamp", 2}}},
                      UnsignedCase{"targets", {{"root", 2}, {"snapshot", 2}, {"timestamp", 2}}}),
    [](const auto& p) { return p.param.role; });

class UrlVersionMismatch : public Conformance, public ::testing::WithParamInterface<UnsignedCase> {};

TEST_P(UrlVersionMismatch, VersionInsideDiffersFromTheUrlsIsRejected) {
  const std::string role = GetParam().role;
  sim_.set_version(role, 3);
  sim_.publish_as(role, 2);  // served as 2.ROLE.json, named version 2 by its parent
  if (role == "targets") sim_.publish({"snapshot"});
  if (role != "root") sim_.publish({"timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  EXPECT_EQ(trusted(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Roles, UrlVersionMismatch,
                         ::testing::Values(UnsignedCase{"root", {{"root", 1}}},
                                           UnsignedCase{"snapshot", {{"root", 1}, {"timestamp", 2}}},
                                           UnsignedCase{"targets", {{"root", 1}, {"snapshot", 2}, {"timestamp", 2}}}),
                         [](const auto& p) { return p.param.role; });

TEST_F(Conformance, EqualTimestampVersionWithOtherContentIsDiscarded) {
  ASSERT_TRUE(refresh());
  const std::string first = stored("timestamp.json");
  sim_.set_expires("timestamp", kNow + 40 * kDay);
  sim_.publish({"timestamp"}, false);
  ASSERT_NE(sim_.current["timestamp"], first);
  source_.requests.clear();
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(stored("timestamp.json"), first);
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}}));
}

TEST_F(Conformance, SecondRefreshWithNothingNewRequestsOnlyRootAndTimestamp) {
  ASSERT_TRUE(refresh());
  source_.requests.clear();
  ASSERT_TRUE(refresh());
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}}));
}

TEST_F(Conformance, NewTimestampAndSnapshotFetchOnlyWhatChanged) {
  ASSERT_TRUE(refresh());
  sim_.publish({"snapshot", "timestamp"});
  source_.requests.clear();
  ASSERT_TRUE(refresh());
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}, {"snapshot", 2}}));
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 1}, {"timestamp", 2}}));
}

TEST_F(Conformance, MissingSnapshotLeavesTheNewTimestampTrusted) {
  ASSERT_TRUE(refresh());
  sim_.publish({"snapshot", "timestamp"});
  source_.fail.emplace("2.snapshot.json", Error{Errc::not_found, "404"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 1}, {"targets", 1}, {"timestamp", 2}}));
}

TEST_F(Conformance, MissingTargetsLeavesTheNewSnapshotTrusted) {
  ASSERT_TRUE(refresh());
  sim_.publish({"targets", "snapshot", "timestamp"});
  source_.fail.emplace("2.targets.json", Error{Errc::not_found, "404"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 1}, {"timestamp", 2}}));
}

TEST_F(Conformance, MissingTimestampFailsTheRefresh) {
  source_.fail.emplace("timestamp.json", Error{Errc::not_found, "404"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}}));
  EXPECT_EQ(trusted(), (Roles{{"root", 1}}));
}

TEST_F(Conformance, SnapshotTypeServedAsTimestampIsRejected) {
  // Signed by the timestamp key: only "_type" is wrong.
  source_.substitute["timestamp.json"] = sim_.sign(sim_.mds["snapshot"], sim_.signers["timestamp"]);
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}}));
}

TEST_F(Conformance, TimestampTypeServedAsSnapshotIsRejected) {
  source_.substitute["1.snapshot.json"] = sim_.sign(sim_.mds["timestamp"], sim_.signers["snapshot"]);
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"timestamp", 1}}));
}

TEST_F(Conformance, ListedMetaHashesAndLengthAreChecked) {
  sim_.with_hashes_and_length = true;
  sim_.publish({"targets", "snapshot", "timestamp"});
  ASSERT_TRUE(sim_.mds["timestamp"]["meta"]["snapshot.json"].contains("hashes"));
  ASSERT_TRUE(sim_.mds["snapshot"]["meta"]["targets.json"].contains("length"));
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(source_.max_bytes["2.snapshot.json"], sim_.published["snapshot"][2].size());
  EXPECT_EQ(source_.max_bytes["2.targets.json"], sim_.published["targets"][2].size());

  // Version 3 of targets as listed, and another, validly signed version 3 served.
  sim_.publish({"targets", "snapshot", "timestamp"});
  sim_.set_expires("targets", kNow + 20 * kDay);
  source_.substitute["3.targets.json"] = sim_.sign("targets");
  ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 3}, {"targets", 2}, {"timestamp", 3}}));
}

TEST_F(Conformance, SnapshotNotMatchingTheTimestampsHashIsRejected) {
  sim_.with_hashes_and_length = true;
  sim_.publish({"snapshot", "timestamp"});
  sim_.set_expires("snapshot", kNow + 20 * kDay);
  source_.substitute["2.snapshot.json"] = sim_.sign("snapshot");
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"timestamp", 2}}));
}

// Size limits (tuf-js / python-tuf defaults): a file of exactly the limit is read, one
// byte more is refused, and the limit is what the updater hands to the Source.
struct LimitCase {
  std::string role;
  std::string file;  // as requested
  size_t limit;
  bool over;
};
class SizeLimit : public Conformance, public ::testing::WithParamInterface<LimitCase> {};

TEST_P(SizeLimit, FileAtTheLimitIsAcceptedAndOneByteMoreIsNot) {
  const LimitCase& c = GetParam();
  sim_.set_version(c.role, 2);
  pad_to(c.role, c.limit + (c.over ? 1 : 0));
  sim_.publish({c.role}, false);
  if (c.role == "snapshot") sim_.publish({"timestamp"});
  auto ok = refresh();
  EXPECT_EQ(source_.max_bytes[c.file], c.limit);
  if (c.over) {
    ASSERT_FALSE(ok);
    EXPECT_NE(stored(c.role + ".json"), sim_.current[c.role]);
  } else {
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(stored(c.role + ".json"), sim_.current[c.role]);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Limits, SizeLimit,
    ::testing::Values(LimitCase{"root", "2.root.json", 512000, false}, LimitCase{"root", "2.root.json", 512000, true},
                      LimitCase{"timestamp", "timestamp.json", 16384, false},
                      LimitCase{"timestamp", "timestamp.json", 16384, true},
                      LimitCase{"snapshot", "2.snapshot.json", 2000000, false},
                      LimitCase{"snapshot", "2.snapshot.json", 2000000, true}),
    [](const auto& p) { return p.param.role + (p.param.over ? "Over" : "Exactly"); });

TEST_F(Conformance, EndlessTimestampIsCutAtItsLimit) {
  source_.endless.insert("timestamp.json");
  ASSERT_FALSE(refresh());
  EXPECT_EQ(source_.max_bytes["timestamp.json"], 16384u);
  EXPECT_EQ(trusted(), (Roles{{"root", 1}}));
}

TEST_F(Conformance, TargetsWithoutListedLengthAreReadUpTo5000000Bytes) {
  ASSERT_TRUE(refresh());
  EXPECT_EQ(source_.max_bytes["1.targets.json"], 5000000u);
}

// ---------------------------------------------------------------- test_keys.py

TEST_F(Conformance, SnapshotBelowItsThresholdIsRejected) {
  sim_.add_key("snapshot");
  sim_.mds["root"]["roles"]["snapshot"]["threshold"] = 2;
  sim_.publish({"root"});
  sim_.signers["snapshot"].pop_back();
  sim_.publish({"snapshot", "timestamp"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"timestamp", 2}}));
}

TEST_F(Conformance, ThresholdAboveTheKeyCountIsNeverMet) {
  for (int i = 0; i < 4; ++i) sim_.add_key("snapshot");
  sim_.mds["root"]["roles"]["snapshot"]["threshold"] = 6;
  sim_.publish({"root", "snapshot", "timestamp"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"timestamp", 2}}));
}

TEST_F(Conformance, KeyIdListedTwiceInARoleRefusesTheRoot) {
  json& ids = sim_.mds["root"]["roles"]["snapshot"]["keyids"];
  ids.push_back(ids[0]);
  sim_.publish({"root"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}}));
}

TEST_F(Conformance, TwoSignaturesUnderOneKeyIdAreRejected) {
  sim_.publish({"snapshot", "timestamp"});
  auto env = metadata::parse_envelope(bytes_of(sim_.current["snapshot"]), 1 << 20);
  ASSERT_TRUE(env);
  env->signatures.push_back(env->signatures[0]);
  source_.substitute["2.snapshot.json"] = metadata::serialize(*env);
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"timestamp", 2}}));
}

TEST_F(Conformance, SignaturesByUnknownKeysAreIgnored) {
  const SimKey stranger = testing::make_sim_key();
  sim_.signers["snapshot"].push_back(stranger);
  sim_.publish({"snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  // Signed by the stranger alone: no signature counts.
  sim_.signers["snapshot"] = {stranger};
  sim_.publish({"snapshot", "timestamp"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 1}, {"timestamp", 3}}));
}

TEST_F(Conformance, OneKeyUnderTwoKeyIdsCountsOnce) {
  json& root = sim_.mds["root"];
  const std::string id = root["roles"]["snapshot"]["keyids"][0];
  const std::string alias = std::string(64, 'a');
  root["keys"][alias] = root["keys"][id];
  root["roles"]["snapshot"] = {{"keyids", {id, alias}}, {"threshold", 2}};
  sim_.publish({"root", "snapshot", "timestamp"});
  auto env = metadata::parse_envelope(bytes_of(sim_.current["snapshot"]), 1 << 20);
  ASSERT_TRUE(env);
  env->signatures.push_back({alias, env->signatures[0].sig});
  source_.substitute["2.snapshot.json"] = metadata::serialize(*env);
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"timestamp", 2}}));
}

class BadSignatureBesideAGoodOne : public Conformance, public ::testing::WithParamInterface<std::string> {};

TEST_P(BadSignatureBesideAGoodOne, IsIgnored) {
  sim_.add_key("snapshot");  // threshold stays 1
  sim_.publish({"root", "snapshot", "timestamp"});
  auto env = metadata::parse_envelope(bytes_of(sim_.current["snapshot"]), 1 << 20);
  ASSERT_TRUE(env);
  ASSERT_EQ(env->signatures.size(), 2u);
  env->signatures[1].sig = GetParam();
  source_.substitute["2.snapshot.json"] = metadata::serialize(*env);
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 2}, {"targets", 1}, {"timestamp", 2}}));
}

INSTANTIATE_TEST_SUITE_P(Sigs, BadSignatureBesideAGoodOne,
                         ::testing::Values(std::string(128, '0'), std::string(), std::string("not hex")),
                         [](const auto& p) { return "Case" + std::to_string(p.index); });

// ---------------------------------------------------------------- test_updater_key_rotations.py

struct RootStep {
  std::vector<int> keys;
  uint32_t threshold;
  std::vector<int> sigs;
};
struct RotationCase {
  std::string name;
  std::vector<RootStep> steps;  // steps[0] is the device's initial root
  bool last_ok;
};
class RootRotation : public Conformance, public ::testing::WithParamInterface<RotationCase> {};

TEST_P(RootRotation, FollowsTheChainOrStopsAtTheLastGoodRoot) {
  std::vector<SimKey> pool;
  for (int i = 0; i < 10; ++i) pool.push_back(testing::make_sim_key());
  auto pick = [&](const std::vector<int>& idx) {
    std::vector<SimKey> out;
    for (int i : idx) out.push_back(pool[size_t(i)]);
    return out;
  };
  const auto& steps = GetParam().steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    sim_.set_role_keys("root", pick(steps[i].keys), steps[i].threshold);
    sim_.signers["root"] = pick(steps[i].sigs);
    sim_.publish({"root"}, /*bump=*/i > 0);
  }
  auto ok = refresh();
  const uint64_t last = steps.size();
  if (GetParam().last_ok) {
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(stored("root.json"), sim_.published["root"][last]);
  } else {
    ASSERT_FALSE(ok);
    EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
    EXPECT_EQ(stored("root.json"), sim_.published["root"][last - 1]);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suite, RootRotation,
    ::testing::Values(
        RotationCase{"OneOfOneKeyRotation", {{{1}, 1, {1}}, {{2}, 1, {2, 1}}, {{2}, 1, {2}}}, true},
        RotationCase{"OneOfOneKeyRotationUnusedSignatures",
                     {{{1}, 1, {3, 4, 1}}, {{2}, 1, {3, 4, 2, 1}}, {{2}, 1, {3, 4, 2}}},
                     true},
        RotationCase{"ThreeOfFiveSignWithDifferentKeyCombos",
                     {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}},
                      {{0, 1, 2, 3, 4}, 3, {0, 4, 1}},
                      {{0, 1, 2, 3, 4}, 3, {0, 1, 3}},
                      {{0, 1, 2, 3, 4}, 3, {0, 1, 3}}},
                     true},
        RotationCase{"ThreeOfFiveOneKeyRotated", {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 1}}}, true},
        RotationCase{"ThreeOfFiveOneKeyRotatedWithIntermediateStep",
                     {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 2, 4, 5}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 5}}},
                     true},
        RotationCase{"ThreeOfFiveAllKeysRotatedWithIntermediateStep",
                     {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{5, 6, 7, 8, 9}, 3, {0, 2, 4, 5, 6, 7}}, {{5, 6, 7, 8, 9}, 3, {5, 6, 7}}},
                     true},
        RotationCase{"OneOfThreeThresholdIncreaseToTwoOfThree",
                     {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 2, {1, 2}}},
                     true},
        RotationCase{"TwoOfThreeThresholdDecreaseToOneOfThree",
                     {{{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 1, {1, 2}}, {{1, 2, 3}, 1, {1}}},
                     true},
        RotationCase{"OneOfTwoThresholdIncreaseToTwoOfTwo", {{{1}, 1, {1}}, {{1, 2}, 2, {1, 2}}, {{1, 2}, 2, {1, 2}}}, true},
        RotationCase{"OneOfOneKeyRotationFailsNotSignedWithOldKey", {{{1}, 1, {1}}, {{2}, 1, {2, 3, 4}}}, false},
        RotationCase{"OneOfOneKeyRotationFailsNotSignedWithNewKey", {{{1}, 1, {1}}, {{2}, 1, {1, 3, 4}}}, false},
        RotationCase{"ThreeOfFiveOneKeyRotateFailsNotSignedWithThreeNewKeys",
                     {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 2, 4}}},
                     false},
        RotationCase{"ThreeOfFiveOneKeyRotateFailsNotSignedWithThreeOldKeys",
                     {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 5}}},
                     false},
        RotationCase{"OneOfThreeThresholdBumpFailsNewThresholdNotReached", {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1}}}, false},
        RotationCase{"TwoOfThreeThresholdDecreaseFailsOldThresholdNotReached",
                     {{{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 1, {1}}},
                     false}),
    [](const auto& p) { return p.param.name; });

// Timestamp, snapshot and targets keys change with a new root while the role keeps
// version 1 (re-signed): the stored copy no longer verifies, the new one must.
class NonRootRotation : public Conformance,
                        public ::testing::WithParamInterface<std::tuple<std::string, RotationCase>> {};

TEST_P(NonRootRotation, RoleResignedWithNewKeysIsTrustedOnlyWhenItsNewThresholdIsMet) {
  const auto& [role, c] = GetParam();
  std::vector<SimKey> pool;
  for (int i = 0; i < 6; ++i) pool.push_back(testing::make_sim_key());
  auto pick = [&](const std::vector<int>& idx) {
    std::vector<SimKey> out;
    for (int i : idx) out.push_back(pool[size_t(i)]);
    return out;
  };
  for (size_t i = 0; i < c.steps.size(); ++i) {
    sim_.set_role_keys(role, pick(c.steps[i].keys), c.steps[i].threshold);
    sim_.signers[role] = pick(c.steps[i].sigs);
    sim_.publish({"root"});
    sim_.publish({role}, /*bump=*/false);
    auto ok = refresh();
    if (i + 1 < c.steps.size() || c.last_ok) {
      // The stored copy or the re-signed one, whichever the new keys verify: version 1.
      ASSERT_TRUE(ok) << "step " << i << ": " << ok.error().message;
      EXPECT_EQ(trusted(), (Roles{{"root", i + 2}, {"snapshot", 1}, {"targets", 1}, {"timestamp", 1}})) << "step " << i;
    } else {
      ASSERT_FALSE(ok);
      EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
      // A stored timestamp or snapshot the new root does not verify is deleted (5.3.11).
      if (role != "targets") {
        EXPECT_FALSE(has(role + ".json"));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suite, NonRootRotation,
    ::testing::Combine(
        ::testing::Values("timestamp", "snapshot", "targets"),
        ::testing::Values(
            RotationCase{"OneOfOneKeyRotation", {{{1}, 1, {1}}, {{2}, 1, {2}}}, true},
            RotationCase{"OneOfOneKeyRotationUnusedSignatures", {{{1}, 1, {3, 1, 4}}, {{2}, 1, {3, 2, 4}}}, true},
            RotationCase{"OneOfOneKeyRotationFailsNotSignedWithNewKey", {{{1}, 1, {1}}, {{2}, 1, {1}}}, false},
            RotationCase{"ThreeOfFiveOneKeyRotated", {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 5}}},
                         true},
            RotationCase{"ThreeOfFiveFailsNotSignedWithThreeNewKeys",
                         {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 2, 4}}},
                         false},
            RotationCase{"OneOfThreeThresholdIncreaseToTwoOfThree", {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1, 2}}}, true},
            RotationCase{"TwoOfThreeThresholdDecreaseToOneOfThree", {{{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 1, {1}}}, true},
            RotationCase{"OneOfThreeThresholdBumpFails", {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1}}}, false})),
    [](const auto& p) { return std::get<0>(p.param) + "_" + std::get<1>(p.param).name; });

// ---------------------------------------------------------------- test_expiration.py

class ExpiredRole : public Conformance, public ::testing::WithParamInterface<std::string> {};

TEST_P(ExpiredRole, IsNotTrusted) {
  const std::string role = GetParam();
  ASSERT_TRUE(refresh());
  sim_.set_expires(role, kNow - kDay);
  if (role == "targets") sim_.publish({"targets"});
  if (role != "timestamp") sim_.publish({"snapshot"});
  sim_.publish({"timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  for (const auto& [name, version] : trusted())
    if (name == role) {
      EXPECT_EQ(version, 1u) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Roles, ExpiredRole, ::testing::Values("timestamp", "snapshot", "targets"));

TEST_F(Conformance, ExpiredFinalRootFailsButIsStored) {
  sim_.set_expires("root", kNow - kDay);
  sim_.publish({"root"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected);
  EXPECT_EQ(trusted(), (Roles{{"root", 2}}));
  EXPECT_EQ(stored("root.json"), sim_.published["root"][2]);
}

TEST_F(Conformance, ExpiredIntermediateRootIsFollowed) {
  sim_.set_expires("root", kNow - kDay);
  sim_.publish({"root"});
  sim_.set_expires("root", kNow + 30 * kDay);
  sim_.publish({"root"});
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(stored("root.json"), sim_.published["root"][3]);
}

TEST_F(Conformance, ExpiredStoredTimestampIsTheReferenceForANewerOne) {
  sim_.set_expires("timestamp", kNow + 7 * kDay);
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  sim_.set_expires("timestamp", kNow + 21 * kDay);
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto ok = refresh(kNow + 18 * kDay);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 2}, {"timestamp", 3}}));
}

TEST_F(Conformance, ExpiredStoredTimestampStillGuardsAgainstRollback) {
  sim_.set_expires("timestamp", kNow + 7 * kDay);
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  sim_.current["timestamp"] = sim_.published["timestamp"][1];  // valid until day 30
  auto ok = refresh(kNow + 10 * kDay);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected) << ok.error().message;
  EXPECT_EQ(stored("timestamp.json"), sim_.published["timestamp"][2]);
}

TEST_F(Conformance, ExpiredStoredTimestampWithNothingNewFails) {
  sim_.set_expires("timestamp", kNow + 7 * kDay);
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  EXPECT_FALSE(refresh(kNow + 8 * kDay));
}

// ---------------------------------------------------------------- test_rollback.py

TEST_F(Conformance, TimestampVersionRollbackIsRejected) {
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  sim_.current["timestamp"] = sim_.published["timestamp"][1];
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected);
  EXPECT_EQ(stored("timestamp.json"), sim_.published["timestamp"][2]);
}

class WithHashes : public Conformance, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    Conformance::SetUp();
    if (GetParam()) {
      sim_.with_hashes_and_length = true;
      sim_.publish({"targets", "snapshot", "timestamp"}, false);
    }
  }
};

TEST_P(WithHashes, SnapshotVersionRollbackInTheTimestampIsRejectedBeforeAnySnapshotRequest) {
  const json old_meta = sim_.mds["timestamp"]["meta"]["snapshot.json"];
  sim_.publish({"snapshot", "timestamp"});
  ASSERT_TRUE(refresh());
  sim_.mds["timestamp"]["meta"]["snapshot.json"] = old_meta;
  sim_.publish({"timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected);
  EXPECT_EQ(source_.requests.back(), Req("timestamp", kNoVersion));
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 1}, {"timestamp", 2}}));
}

TEST_P(WithHashes, TargetsVersionRollbackInTheSnapshotIsRejected) {
  const json old_meta = sim_.mds["snapshot"]["meta"]["targets.json"];
  sim_.publish({"targets", "snapshot", "timestamp"});
  ASSERT_TRUE(refresh());
  sim_.mds["snapshot"]["meta"]["targets.json"] = old_meta;
  sim_.publish({"snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected);
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 2}, {"timestamp", 3}}));
}

INSTANTIATE_TEST_SUITE_P(Meta, WithHashes, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "WithHashes" : "Plain"; });

TEST_F(Conformance, RoleDroppedFromTheSnapshotIsRejected) {
  sim_.add_delegation("targets", "A");
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  ASSERT_TRUE(refresh());
  sim_.mds["snapshot"]["meta"].erase("A.json");
  sim_.publish({"snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::rejected);
  EXPECT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 2}, {"timestamp", 3}}));
}

TEST_F(Conformance, TimestampFastForwardRecovery) {
  sim_.set_version("timestamp", 99999);
  sim_.publish({"timestamp"}, false);
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("timestamp");
  sim_.publish({"root"});
  sim_.set_version("timestamp", 0);
  sim_.publish({"timestamp"});
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 1}, {"targets", 1}, {"timestamp", 1}}));
}

TEST_F(Conformance, TimestampKeyRotationDeletesTheStoredTimestampEvenWhenTheRefreshFails) {
  sim_.set_version("timestamp", 99999);
  sim_.publish({"timestamp"}, false);
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("timestamp");
  sim_.publish({"root"});
  source_.fail.emplace("timestamp.json", Error{Errc::not_found, "404"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 1}, {"targets", 1}}));
}

TEST_F(Conformance, RootChainFailingAfterATimestampKeyRotationLeavesNoUntrustedTimestamp) {
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("timestamp");
  sim_.publish({"root"});
  sim_.signers["root"].clear();
  sim_.publish({"root"});  // version 3, unsigned: the chain stops at 2
  auto ok = refresh();
  ASSERT_FALSE(ok);
  EXPECT_EQ(stored("root.json"), sim_.published["root"][2]);
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 1}, {"targets", 1}}));
}

TEST_F(Conformance, SnapshotFastForwardRecovery) {
  sim_.set_version("snapshot", 99999);
  sim_.publish({"snapshot"}, false);
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("snapshot");
  sim_.rotate_keys("timestamp");
  sim_.publish({"root"});
  sim_.set_version("snapshot", 0);
  sim_.set_version("timestamp", 0);
  sim_.publish({"snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 1}, {"targets", 1}, {"timestamp", 1}}));
}

TEST_F(Conformance, SnapshotAndTimestampKeyRotationDeletesBothEvenWhenTheRefreshFails) {
  sim_.set_version("snapshot", 99999);
  sim_.publish({"snapshot"}, false);
  sim_.publish({"timestamp"});
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("snapshot");
  sim_.rotate_keys("timestamp");
  sim_.publish({"root"});
  source_.fail.emplace("timestamp.json", Error{Errc::not_found, "404"});
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"targets", 1}}));
}

TEST_F(Conformance, TargetsFastForwardRecovery) {
  sim_.set_version("targets", 99999);
  sim_.publish({"targets"}, false);
  sim_.publish({"snapshot", "timestamp"});
  ASSERT_TRUE(refresh());
  ASSERT_EQ(trusted(), (Roles{{"root", 1}, {"snapshot", 2}, {"targets", 99999}, {"timestamp", 2}}));
  sim_.rotate_keys("snapshot");
  sim_.publish({"root"});
  sim_.set_version("targets", 0);
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto ok = refresh();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"snapshot", 3}, {"targets", 1}, {"timestamp", 3}}));
}

TEST_F(Conformance, SnapshotKeyRotationDeletesTheStoredSnapshotEvenWhenTheRefreshFails) {
  ASSERT_TRUE(refresh());
  sim_.rotate_keys("snapshot");
  sim_.publish({"root"});
  // The server still has only the snapshot signed with the old key.
  ASSERT_FALSE(refresh());
  EXPECT_EQ(trusted(), (Roles{{"root", 2}, {"targets", 1}, {"timestamp", 1}}));
}

// ---------------------------------------------------------------- delegations

struct Edge {
  std::string delegator, role;
  std::vector<std::string> paths = {"*"};
  bool terminating = false;
};
struct GraphCase {
  std::string name;
  std::vector<Edge> edges;
  std::vector<std::string> visited;  // delegated roles requested, in order
};
class GraphTraversal : public Conformance, public ::testing::WithParamInterface<GraphCase> {};

TEST_P(GraphTraversal, DelegatedRolesAreRequestedInPreOrder) {
  std::vector<std::string> roles;
  for (const auto& e : GetParam().edges) {
    sim_.add_delegation(e.delegator, e.role, {e.paths, {}, e.terminating});
    if (std::find(roles.begin(), roles.end(), e.role) == roles.end()) roles.push_back(e.role);
  }
  for (const char* top : {"targets", "snapshot", "timestamp"}) roles.push_back(top);
  sim_.publish(roles);
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  auto found = u->find_target("targetfile");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::not_found) << found.error().message;
  std::vector<Req> expected;
  for (const auto& r : GetParam().visited) expected.emplace_back(r, 1);
  EXPECT_EQ(source_.requests, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Suite, GraphTraversal,
    ::testing::Values(
        GraphCase{"Basic", {{"targets", "A"}}, {"A"}},
        GraphCase{"SingleLevel", {{"targets", "A"}, {"targets", "B"}}, {"A", "B"}},
        GraphCase{"TwoLevel", {{"targets", "A"}, {"targets", "B"}, {"B", "C"}}, {"A", "B", "C"}},
        GraphCase{"TwoLevelDepthFirst", {{"targets", "A"}, {"targets", "B"}, {"A", "C"}}, {"A", "C", "B"}},
        GraphCase{"ThreeLevelDepthFirst",
                  {{"targets", "A"}, {"targets", "B"}, {"A", "C"}, {"C", "D"}, {"A", "E"}},
                  {"A", "C", "D", "E", "B"}},
        GraphCase{"TwoLevelTerminating", {{"targets", "A", {"*"}, true}, {"targets", "B"}, {"A", "C"}}, {"A", "C"}},
        GraphCase{"ThreeLevelTerminating",
                  {{"targets", "A"}, {"targets", "E"}, {"A", "B", {"*"}, true}, {"A", "C"}, {"B", "D"}},
                  {"A", "B", "D"}},
        GraphCase{"TwoLevelNonMatchingPaths", {{"targets", "A", {"nomatch/*"}}, {"targets", "B"}, {"A", "C"}}, {"B"}},
        GraphCase{"ThreeLevelNonMatchingPaths",
                  {{"targets", "A"}, {"A", "B", {"nomatch/*"}}, {"A", "C"}, {"B", "D"}},
                  {"A", "C"}},
        GraphCase{"Cyclic", {{"targets", "A"}, {"A", "B"}, {"B", "A"}}, {"A", "B"}},
        GraphCase{"TwoRolesDelegatingToAThird", {{"targets", "A"}, {"targets", "B"}, {"A", "C"}, {"B", "C"}},
                  {"A", "C", "B"}},
        GraphCase{"TwoRolesDelegatingToAThirdWithOtherPaths",
                  {{"targets", "A"}, {"targets", "B"}, {"A", "C", {"nomatch"}}, {"B", "C"}},
                  {"A", "B", "C"}}),
    [](const auto& p) { return p.param.name; });

TEST_F(Conformance, FoundTargetEndsTheSearch) {
  sim_.add_delegation("targets", "A");
  sim_.add_delegation("targets", "B");
  sim_.add_target("A", "targetfile", "content");
  sim_.publish({"A", "B", "targets", "snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  auto found = u->find_target("targetfile");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->role, "A");
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"A", 1}}));
}

class SuccinctBins : public Conformance, public ::testing::WithParamInterface<std::pair<uint32_t, std::string>> {};

TEST_P(SuccinctBins, OnlyTheBinOfThePathIsFetched) {
  const auto& [bits, bin] = GetParam();
  ASSERT_EQ(sha256_hex("bar").substr(0, 2), "fc");  // the bins below follow from this
  std::vector<std::string> roles = sim_.add_succinct_roles("targets", bits, "bin");
  sim_.add_target(bin, "bar", "bar content");
  for (const char* top : {"targets", "snapshot", "timestamp"}) roles.push_back(top);
  sim_.publish(roles);
  auto refreshed = refresh();  // the explicit refresh
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  source_.requests.clear();
  auto got = download("bar");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}, {bin, 1}}));
}

INSTANTIATE_TEST_SUITE_P(BitLengths, SuccinctBins,
                         ::testing::Values(std::pair<uint32_t, std::string>{1, "bin-1"},
                                           std::pair<uint32_t, std::string>{2, "bin-3"},
                                           std::pair<uint32_t, std::string>{8, "bin-fc"}),
                         [](const auto& p) { return "Bits" + std::to_string(p.param.first); });

TEST_F(Conformance, StarAndQuestionMarkDoNotMatchASlash) {
  sim_.add_delegation("targets", "A", {{"dir/*.bin", "f?o"}});
  for (const char* p : {"dir/x.bin", "dir/sub/x.bin", "fxo", "f/o"}) sim_.add_target("A", p, p);
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  for (const char* p : {"dir/sub/x.bin", "f/o"}) {
    auto r = u->find_target(p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().code, Errc::not_found) << p;
  }
  EXPECT_TRUE(source_.requests.empty());
  for (const char* p : {"dir/x.bin", "fxo"}) EXPECT_TRUE(u->find_target(p)) << p;
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"A", 1}}));
}

TEST_F(Conformance, BackslashInAPatternIsAnOrdinaryCharacter) {
  sim_.add_delegation("targets", "A", {{"a\\*"}});
  for (const char* p : {"a\\x", "a*"}) sim_.add_target("A", p, p);
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  auto escaped = u->find_target("a*");
  ASSERT_FALSE(escaped);
  EXPECT_EQ(escaped.error().code, Errc::not_found);
  EXPECT_TRUE(u->find_target("a\\x"));
}

TEST_F(Conformance, PathHashPrefixesSelectTheDelegation) {
  const std::string h = sha256_hex("foo");
  const std::string other = std::string(1, h[0] == '0' ? '1' : '0');
  sim_.add_delegation("targets", "B", {{}, {other}});
  sim_.add_delegation("targets", "A", {{}, {h.substr(0, 2), other}});
  sim_.add_target("A", "foo", "foo content");
  sim_.publish({"A", "B", "targets", "snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  auto found = u->find_target("foo");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->role, "A");
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"A", 1}}));
}

TEST_F(Conformance, RoleMissingFromTheSnapshotEndsTheSearch) {
  sim_.add_delegation("targets", "A");
  sim_.add_delegation("targets", "B");
  sim_.add_target("B", "file", "content");
  sim_.publish({"A", "B", "targets", "snapshot", "timestamp"});
  sim_.mds["snapshot"]["meta"].erase("A.json");
  sim_.publish({"snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  EXPECT_FALSE(u->find_target("file"));
  EXPECT_TRUE(source_.requests.empty());
}

class UnusualRoleName : public Conformance, public ::testing::WithParamInterface<std::string> {};

TEST_P(UnusualRoleName, IsRequestedByItsNameAndStoredAsOneFileInsideTheDirectory) {
  const std::string name = GetParam();
  sim_.add_delegation("targets", name);
  sim_.publish({name, "targets", "snapshot", "timestamp"});
  auto u = started();
  ASSERT_TRUE(u->refresh());
  source_.requests.clear();
  source_.names.clear();
  auto found = u->find_target("missing");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::not_found) << found.error().message;
  EXPECT_EQ(source_.requests, (std::vector<Req>{{name, 1}}));
  EXPECT_EQ(source_.names, (std::vector<std::string>{"1." + name + ".json"}));

  // Nothing outside the metadata directory, and inside it five plain files.
  std::vector<std::string> outside;
  for (const auto& e : fs::directory_iterator(dir_)) outside.push_back(e.path().filename().string());
  EXPECT_EQ(outside, (std::vector<std::string>{"metadata"}));
  int files = 0;
  bool has_role = false;
  for (const auto& e : fs::directory_iterator(state_)) {
    ++files;
    EXPECT_TRUE(e.is_regular_file()) << e.path();
    const std::string f = e.path().filename().string();
    EXPECT_NE(f, "..");
    EXPECT_NE(f, ".");
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    has_role = has_role || ss.str() == sim_.current[name];
  }
  EXPECT_EQ(files, 5);
  EXPECT_EQ(trusted().size(), 5u);
  EXPECT_TRUE(has_role);
}

INSTANTIATE_TEST_SUITE_P(Names, UnusualRoleName,
                         ::testing::Values("?", "#", "/delegatedrole", "../delegatedrole", "%", "..", ".",
                                           std::string("a\0b", 3)),
                         [](const auto& p) { return "Name" + std::to_string(p.index); });

TEST_F(Conformance, DelegatedRoleNamedTimestampIsRefused) {
  const SimKey k = testing::make_sim_key();
  json impostor = sim_.mds["targets"];
  impostor["targets"]["file"] = {{"length", 4}, {"hashes", {{"sha256", sha256_hex("evil")}}}};
  sim_.mds["targets"]["delegations"] = {
      {"keys", {{k.id, k.object}}},
      {"roles", json::array({{{"name", "timestamp"}, {"keyids", {k.id}}, {"threshold", 1}, {"terminating", false},
                              {"paths", {"*"}}}})}};
  sim_.mds["snapshot"]["meta"]["timestamp.json"] = {{"version", 1}};
  sim_.publish({"targets", "snapshot", "timestamp"});
  source_.substitute["1.timestamp.json"] = sim_.sign(impostor, {k});
  auto u = started();
  // The targets metadata naming it is refused as a whole (tuf-js's Delegations does the
  // same), so the impostor is never fetched and the trusted timestamp stays.
  auto ok = u->refresh();
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message.find("may not be named \"timestamp\""), std::string::npos) << ok.error().message;
  const std::string trusted = stored("timestamp.json");
  EXPECT_NE(trusted.find("\"_type\":\"timestamp\""), std::string::npos);
  EXPECT_EQ(trusted.find("\"file\""), std::string::npos);
  for (const auto& r : source_.requests) EXPECT_NE(r, Req("timestamp", 1));
}

// C is delegated by B (key KB, paths b/*, listed first) and by A (key KA, paths a/*), and
// signed by KB only: reached through A it must fail, whatever was loaded before.
class CacheRule : public Conformance {
 protected:
  void SetUp() override {
    Conformance::SetUp();
    sim_.add_delegation("targets", "B", {{"b/*"}});
    sim_.add_delegation("targets", "A", {{"a/*"}});
    sim_.add_delegation("B", "C", {{"b/*"}});  // C's signer: KB
    sim_.add_delegation("A", "C", {{"a/*"}, {}, false, 1, {ka_}});
    sim_.add_target("C", "a/x", "ax");
    sim_.add_target("C", "b/y", "by");
  }
  void publish() { sim_.publish({"C", "A", "B", "targets", "snapshot", "timestamp"}); }
  const SimKey ka_ = testing::make_sim_key();
};

TEST_F(CacheRule, RoleLoadedThroughOneDelegatorIsVerifiedAgainThroughAnother) {
  publish();
  auto u = started();
  ASSERT_TRUE(u->refresh());
  auto b = u->find_target("b/y");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->role, "C");
  EXPECT_FALSE(u->find_target("a/x"));
}

TEST_F(CacheRule, StoredRoleIsVerifiedAgainstTheDelegatorOfTheNextRun) {
  publish();
  {
    auto u = started();
    ASSERT_TRUE(u->refresh());
    ASSERT_TRUE(u->find_target("b/y"));
  }
  ASSERT_TRUE(has("C.json"));
  auto u = started();
  ASSERT_TRUE(u->refresh());
  EXPECT_FALSE(u->find_target("a/x"));
}

TEST_F(CacheRule, RoleSignedByBothDelegatorsKeysIsFoundThroughEither) {
  sim_.signers["C"].push_back(ka_);
  publish();
  auto u = started();
  ASSERT_TRUE(u->refresh());
  EXPECT_TRUE(u->find_target("b/y"));
  auto x = u->find_target("a/x");
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_EQ(x->role, "C");
}

TEST_F(Conformance, StoredDelegatedRoleIsReusedWhileCurrent) {
  sim_.add_delegation("targets", "A");
  sim_.add_target("A", "file", "content");
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  ASSERT_TRUE(download("file"));
  source_.requests.clear();
  ASSERT_TRUE(download("file"));
  EXPECT_EQ(source_.requests, (std::vector<Req>{{"root", 2}, {"timestamp", kNoVersion}}));
}

class StoredExpiredDelegation : public Conformance, public ::testing::WithParamInterface<bool> {};

TEST_P(StoredExpiredDelegation, IsFetchedAgain) {
  const bool server_newer = GetParam();
  sim_.add_delegation("targets", "A");
  sim_.add_target("A", "file", "content");
  sim_.set_expires("A", kNow + 5 * kDay);
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  ASSERT_TRUE(download("file"));
  if (server_newer) {
    sim_.set_expires("A", kNow + 30 * kDay);
    sim_.publish({"A", "snapshot", "timestamp"});
  }
  source_.requests.clear();
  auto got = download("file", kNow + 6 * kDay);
  EXPECT_EQ(bool(got), server_newer);
  const uint64_t v = server_newer ? 2 : 1;
  EXPECT_NE(std::find(source_.requests.begin(), source_.requests.end(), Req("A", v)), source_.requests.end());
}

INSTANTIATE_TEST_SUITE_P(Server, StoredExpiredDelegation, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Newer" : "Unchanged"; });

TEST_F(Conformance, ExpiredDelegatedRoleIsNotUsedOrStored) {
  sim_.add_delegation("targets", "A");
  sim_.add_target("A", "file", "content");
  sim_.set_expires("A", kNow - kDay);
  sim_.publish({"A", "targets", "snapshot", "timestamp"});
  EXPECT_FALSE(download("file"));
  EXPECT_FALSE(has("A.json"));
}

// ---------------------------------------------------------------- test_file_download.py

TEST_F(Conformance, TargetIsRequestedAsHashDotNameUnderConsistentSnapshots) {
  sim_.add_target("targets", "dir/file.txt", "hello");
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto got = download("dir/file.txt");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, bytes_of("hello"));
  EXPECT_EQ(source_.target_requests, (std::vector<std::string>{"dir/" + sha256_hex("hello") + ".file.txt"}));
}

TEST_F(Conformance, TargetIsRequestedByItsPathWithoutConsistentSnapshots) {
  sim_.set_consistent_snapshot(false);
  sim_.publish({"root"}, false);
  sim_.add_target("targets", "dir/file.txt", "hello");
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto got = download("dir/file.txt");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(source_.target_requests, (std::vector<std::string>{"dir/file.txt"}));
}

TEST_F(Conformance, FirstListedHashNamesTheFileWhenThereIsNoSha256) {
  sim_.add_target("targets", "dir/file.txt", "hello", {"sha512"});
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto got = download("dir/file.txt");
  ASSERT_TRUE(got) << got.error().message;
  const std::string sha512 = sim_.artifacts["dir/file.txt"].hashes["sha512"];
  ASSERT_EQ(sha512.size(), 128u);
  EXPECT_EQ(source_.target_requests, (std::vector<std::string>{"dir/" + sha512 + ".file.txt"}));
}

TEST_F(Conformance, EveryListedHashIsChecked) {
  sim_.add_target("targets", "file.txt", "hello", {"sha256", "sha512"});
  sim_.mds["targets"]["targets"]["file.txt"]["hashes"]["sha512"] = sim_.artifacts["file.txt"].hashes["sha512"];
  std::string& wrong = sim_.mds["targets"]["targets"]["file.txt"]["hashes"]["sha512"].get_ref<std::string&>();
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto got = download("file.txt");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::rejected) << got.error().message;
}

TEST_F(Conformance, UnknownHashAlgorithmIsRefused) {
  sim_.add_target("targets", "file.txt", "hello");
  sim_.mds["targets"]["targets"]["file.txt"]["hashes"]["sha3-999"] = std::string(64, '0');
  sim_.publish({"targets", "snapshot", "timestamp"});
  auto got = download("file.txt");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unsupported) << got.error().message;
}

TEST_F(Conformance, TargetLongerThanSignedIsRejected) {
  sim_.add_target("targets", "file.txt", "hello");
  sim_.publish({"targets", "snapshot", "timestamp"});
  sim_.artifacts["file.txt"].bytes += "!";
  auto got = download("file.txt");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::rejected) << got.error().message;
}

}  // namespace
}  // namespace ota::client
