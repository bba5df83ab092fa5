// The TUF client workflow against repositories made by the producer, honest and
// attacked. Every attack must be refused with Errc::rejected (or a hash mismatch),
// and the trusted state must not move.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/updater.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "metadata/envelope.h"
#include "repository/repository.h"
#include "signer/signer.h"

namespace ota::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr metadata::Time kNow = 1'800'000'000;  // 2027-01-15
constexpr metadata::Time kDay = 86400;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

class UpdaterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-updater-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    repo_ = dir_ / "repo";
    for (const char* k : {"root1", "root2", "targets1", "targets2", "snapshot", "timestamp", "timestamp-new"})
      ASSERT_TRUE(signer::generate_key(fs_, key(k), {crypto::Algorithm::ed25519, {}}, {}));
    std::string yaml = "roles:\n"
                       "  root: {keys: [" + key("root1") + ", " + key("root2") + "], threshold: 2}\n"
                       "  targets: {keys: [" + key("targets1") + ", " + key("targets2") + "], threshold: 2}\n"
                       "  snapshot: {keys: [" + key("snapshot") + "]}\n"
                       "  timestamp: {keys: [" + key("timestamp") + "]}\n";
    auto config = repository::parse_config(yaml, dir_);
    ASSERT_TRUE(config) << config.error().message;
    ASSERT_TRUE(repository::init(ctx_, *config, repo_));
    write(dir_ / "fw.bin", std::string(100000, 'f'));
    ASSERT_TRUE(repository::add_target(ctx_, repo_, {dir_ / "fw.bin", "ecu/fw.bin", "1.0", {"hw-a"}, {}, "bugfix", 65536}));
    auto published = repository::publish(ctx_, repo_);
    ASSERT_TRUE(published) << published.error().message;
    root_ = read(repo_ / "metadata" / "1.root.json");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string key(const std::string& name) const { return "file:" + (dir_ / (name + ".pem")).string(); }

  // A fresh client with the state directory `state` at time `now`.
  Result<Bytes> fetch(const std::string& target, const std::string& state = "state", metadata::Time now = kNow) {
    DirectorySource source(fs_, repo_);
    Updater u(source, fs_, dir_ / state, now);
    OTA_TRY(u.start(bytes_of(root_)));
    OTA_TRY(u.refresh());
    auto info = u.find_target(target);
    if (!info) return std::move(info).error();
    return u.download_target(*info);
  }

  // Re-signs a metadata file of `repo_` after `edit` changed its "signed" part.
  void resign(const std::string& name, const std::vector<std::string>& keys, const std::function<void(json&)>& edit) {
    auto env = metadata::parse_envelope(bytes_of(read(repo_ / "metadata" / name)), 1 << 20);
    ASSERT_TRUE(env);
    edit(env->signed_);
    std::vector<std::unique_ptr<signer::Signer>> owned;
    std::vector<signer::Signer*> raw;
    for (const auto& k : keys) {
      owned.push_back(std::move(*signer::open_signer(fs_, key(k), {})));
      raw.push_back(owned.back().get());
    }
    auto signed_env = metadata::sign(env->signed_, raw);
    ASSERT_TRUE(signed_env);
    write(repo_ / "metadata" / name, metadata::serialize(*signed_env));
  }

  io::PosixStorage fs_;
  fs::path dir_, repo_;
  std::string root_;
  repository::Context ctx_{fs_, kNow,
                           [this](const std::string& ref, const std::string&) { return signer::open_signer(fs_, ref, {}); },
                           [this](const std::string& ref) { return signer::open_public_key(fs_, ref, {}); }};
};

void expect_rejected(const Result<Bytes>& r, const std::string& phrase) {
  ASSERT_FALSE(r) << "accepted, expected: " << phrase;
  EXPECT_NE(r.error().message.find(phrase), std::string::npos) << r.error().message;
}

TEST_F(UpdaterTest, HonestRepositoryVerifiesAndTheTargetDownloads) {
  auto got = fetch("ecu/fw.bin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->size(), 100000u);
  for (const char* f : {"root.json", "timestamp.json", "snapshot.json", "targets.json"})
    EXPECT_TRUE(fs::exists(dir_ / "state" / f)) << f;
}

TEST_F(UpdaterTest, UnknownTargetIsNotFound) {
  auto got = fetch("ecu/other.bin");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::not_found);
}

TEST_F(UpdaterTest, TamperedTargetIsRejected) {
  auto sha = json::parse(read(repo_ / "metadata" / "2.targets.json"))["signed"]["targets"]["ecu/fw.bin"]["hashes"]["sha256"]
                 .get<std::string>();
  fs::path file = repo_ / "targets" / "ecu" / (sha + ".fw.bin");
  std::string bytes = read(file);
  bytes[5000] ^= 1;
  write(file, bytes);
  expect_rejected(fetch("ecu/fw.bin"), "does not match its signed sha256");
}

TEST_F(UpdaterTest, TamperedMetadataIsRejected) {
  std::string text = read(repo_ / "metadata" / "2.targets.json");
  text.replace(text.find("\"1.0\""), 5, "\"9.9\"");
  write(repo_ / "metadata" / "2.targets.json", text);
  expect_rejected(fetch("ecu/fw.bin"), "2.targets.json does not match its signed sha256");
}

TEST_F(UpdaterTest, ExpiredTimestampIsAFreezeAttack) {
  expect_rejected(fetch("ecu/fw.bin", "state", kNow + 2 * kDay), "timestamp version 2 expired");
}

TEST_F(UpdaterTest, RolledBackTimestampIsRejectedAcrossRuns) {
  std::string old_timestamp = read(repo_ / "metadata" / "timestamp.json");
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  ASSERT_TRUE(fetch("ecu/fw.bin"));  // the client now trusts timestamp 3
  write(repo_ / "metadata" / "timestamp.json", old_timestamp);
  expect_rejected(fetch("ecu/fw.bin"), "timestamp version 2 is older than the trusted 3 (rollback attack)");
}

TEST_F(UpdaterTest, RolledBackTargetsVersionIsRejected) {
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  ASSERT_TRUE(fetch("ecu/fw.bin"));  // trusts snapshot 3 listing targets 3
  // A new timestamp and snapshot, validly signed, that point back at targets 2.
  resign("3.snapshot.json", {"snapshot"}, [](json& s) {
    s["version"] = 4;
    s["meta"]["targets.json"] = {{"version", 2}};
  });
  fs::rename(repo_ / "metadata" / "3.snapshot.json", repo_ / "metadata" / "4.snapshot.json");
  resign("timestamp.json", {"timestamp"}, [](json& s) {
    s["version"] = 4;
    s["meta"]["snapshot.json"] = {{"version", 4}};
  });
  expect_rejected(fetch("ecu/fw.bin"), "snapshot lists targets.json version 2, older than the trusted 3");
}

TEST_F(UpdaterTest, TargetsFromAnotherReleaseAreRejected) {
  // Mix and match: the snapshot names targets 2, the repository serves targets 1 under that name.
  write(repo_ / "metadata" / "2.targets.json", read(repo_ / "metadata" / "1.targets.json"));
  expect_rejected(fetch("ecu/fw.bin"), "2.targets.json");
}

TEST_F(UpdaterTest, SignaturesBelowThresholdAreRejected) {
  // targets needs 2 of 2; signed by one only, snapshot and timestamp re-signed around it.
  resign("2.targets.json", {"targets1"}, [](json&) {});
  auto targets_text = read(repo_ / "metadata" / "2.targets.json");
  resign("2.snapshot.json", {"snapshot"}, [&](json& s) { s["meta"]["targets.json"] = {{"version", 2}}; });
  resign("timestamp.json", {"timestamp"}, [](json& s) { s["meta"]["snapshot.json"] = {{"version", 2}}; });
  expect_rejected(fetch("ecu/fw.bin"), "targets metadata has 1 valid signature of the 2 its role requires");
}

TEST_F(UpdaterTest, RootThatSkipsAVersionIsRejected) {
  write(repo_ / "metadata" / "2.root.json", read(repo_ / "metadata" / "1.root.json"));
  resign("2.root.json", {"root1", "root2"}, [](json& s) { s["version"] = 3; });
  expect_rejected(fetch("ecu/fw.bin"), "2.root.json says version 3: a root may not skip or repeat a version");
}

TEST_F(UpdaterTest, RootRotationNeedsTheOldThreshold) {
  write(repo_ / "metadata" / "2.root.json", read(repo_ / "metadata" / "1.root.json"));
  resign("2.root.json", {"root1"}, [](json& s) { s["version"] = 2; });  // 1 of the 2 old root keys
  expect_rejected(fetch("ecu/fw.bin"), "root 2 (checked with root 1's keys) metadata has 1 valid signature of the 2");
}

TEST_F(UpdaterTest, RevokedTimestampKeyIsRejectedAfterRotation) {
  auto new_pub = signer::open_public_key(fs_, key("timestamp-new"), {});
  ASSERT_TRUE(new_pub);
  const std::string new_id = crypto::tuf_key_id(*new_pub);
  write(repo_ / "metadata" / "2.root.json", read(repo_ / "metadata" / "1.root.json"));
  resign("2.root.json", {"root1", "root2"}, [&](json& s) {
    s["version"] = 2;
    s["keys"][new_id] = crypto::tuf_key_object(*new_pub);
    s["roles"]["timestamp"]["keyids"] = json::array({new_id});
  });
  // timestamp.json is still signed by the revoked key only.
  expect_rejected(fetch("ecu/fw.bin"), "timestamp metadata has 0 valid signatures of the 1");
  // Re-signed by the new key, the client accepts it.
  resign("timestamp.json", {"timestamp-new"}, [](json&) {});
  auto ok = fetch("ecu/fw.bin", "state2");
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(UpdaterTest, SameKeyUnderTwoIdsDoesNotMeetAThresholdOfTwo) {
  auto pub = signer::open_public_key(fs_, key("targets1"), {});
  auto s = signer::open_signer(fs_, key("targets1"), {});
  ASSERT_TRUE(pub && s);
  std::map<std::string, metadata::Key> keys{{"id-a", metadata::key_from_public(*pub)},
                                            {"id-b", metadata::key_from_public(*pub)}};
  metadata::RoleKeys role{{"id-a", "id-b"}, 2};
  json signed_ = {{"_type", "targets"}, {"x", 1}};
  auto env = metadata::sign(signed_, {s->get()});
  ASSERT_TRUE(env);
  env->signatures.push_back({"id-b", env->signatures[0].sig});
  env->signatures[0].keyid = "id-a";
  auto count = metadata::count_signatures(*env, keys, role);
  ASSERT_TRUE(count);
  EXPECT_EQ(count->valid, 1u);
  EXPECT_FALSE(metadata::verify_threshold(*env, keys, role, "targets"));
}

TEST_F(UpdaterTest, DuplicateSignatureKeyIdsAreRejected) {
  std::string text = read(repo_ / "metadata" / "timestamp.json");
  auto doc = json::parse(text);
  doc["signatures"].push_back(doc["signatures"][0]);
  auto env = metadata::parse_envelope(bytes_of(doc.dump()), 1 << 20);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code, Errc::rejected);
}

TEST_F(UpdaterTest, EndlessMetadataIsCutAtTheLimit) {
  write(repo_ / "metadata" / "timestamp.json", std::string(17 * 1024, ' ') + read(repo_ / "metadata" / "timestamp.json"));
  auto got = fetch("ecu/fw.bin");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::too_large);
}

}  // namespace
}  // namespace ota::client
