// The TUF client workflow against repositories made by the producer, honest and
// attacked. Every attack must be refused with Errc::rejected (or a hash mismatch),
// and the trusted state must not move.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <chrono>
#include <thread>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/updater.h"
#include "fakes/mem_storage.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "json/canonical_json.h"
#include "metadata/envelope.h"
#include "repository/batch_files.h"
#include "repository/director.h"
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

TEST_F(UpdaterTest, MetadataFilesAreCanonicalJsonAndControlCharactersAreEscaped) {
  auto s = signer::open_signer(fs_, key("targets1"), {});
  ASSERT_TRUE(s);
  json plain = {{"_type", "targets"}, {"custom", {{"note", "caf\u00e9 \"quoted\" back\\slash"}}}, {"version", 3}};
  auto text = metadata::sign_and_serialize(plain, {s->get()});
  ASSERT_TRUE(text);
  auto env = metadata::parse_envelope(bytes_of(*text), 1 << 20);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->signed_, plain);
  // The whole file is the canonical form of the document, plus a newline.
  json doc = {{"signatures", json::array({{{"keyid", env->signatures[0].keyid}, {"sig", env->signatures[0].sig}}})},
              {"signed", plain}};
  EXPECT_EQ(*text, *ota::json::canonical(doc) + "\n");
  EXPECT_EQ(metadata::serialize(*env), *text);
  // Canonical JSON leaves a control character raw, which is not JSON: the file escapes
  // it, and the signature (over the canonical form) still verifies after parsing.
  json control = {{"_type", "targets"}, {"custom", {{"note", std::string("tab\there\x01")}}}};
  auto escaped = metadata::sign_and_serialize(control, {s->get()});
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->find('\t'), std::string::npos);
  EXPECT_NE(escaped->find("\\t"), std::string::npos);
  auto parsed = metadata::parse_envelope(bytes_of(*escaped), 1 << 20);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->signed_, control);
  auto pub = signer::open_public_key(fs_, key("targets1"), {});
  ASSERT_TRUE(pub);
  std::map<std::string, metadata::Key> keys{{parsed->signatures[0].keyid, metadata::key_from_public(*pub)}};
  EXPECT_TRUE(metadata::verify_threshold(*parsed, keys, {{parsed->signatures[0].keyid}, 1}, "targets"));
  // Bytes that are not UTF-8 are refused before anything is signed.
  auto bad = metadata::sign_and_serialize({{"_type", "targets"}, {"v", std::string("\xff")}}, {s->get()});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
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


// --- producer: root rotation and the refusals of SECURITY-CHECKLIST item 6 ---

class RepositoryTest : public UpdaterTest {
 protected:
  std::string yaml(const std::string& root, const std::string& timestamp, int root_threshold = 2) {
    return "roles:\n  root: {keys: [" + root + "], threshold: " + std::to_string(root_threshold) +
           "}\n  targets: {keys: [" + key("targets1") + ", " + key("targets2") + "], threshold: 2}\n"
           "  snapshot: {keys: [" + key("snapshot") + "]}\n  timestamp: {keys: [" + timestamp + "]}\n";
  }
  Result<repository::RotateReport> rotate(const std::string& text, bool dry_run = false) {
    auto config = repository::parse_config(text, dir_);
    if (!config) return std::move(config).error();
    return repository::rotate_root(ctx_, repo_, *config, dry_run);
  }
};

TEST_F(RepositoryTest, RootRotationChainIsFollowedFromTheFirstRoot) {
  ASSERT_TRUE(fetch("ecu/fw.bin"));  // the client trusts root 1
  // 2: a third root key of another algorithm, threshold 2 of 3.
  ASSERT_TRUE(signer::generate_key(fs_, key("root3"), {crypto::Algorithm::ecdsa_p256, {}}, {}));
  auto r2 = rotate(yaml(key("root1") + ", " + key("root2") + ", " + key("root3"), key("timestamp")));
  ASSERT_TRUE(r2) << r2.error().message;
  EXPECT_EQ(r2->new_version, 2u);
  EXPECT_EQ(r2->added["root"].size(), 1u);
  // 3: root1 removed, threshold 1; a new timestamp key.
  auto r3 = rotate(yaml(key("root2") + ", " + key("root3"), key("timestamp-new"), 1));
  ASSERT_TRUE(r3) << r3.error().message;
  EXPECT_TRUE(r3->timestamp_or_snapshot_keys_changed);
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  auto got = fetch("ecu/fw.bin");
  ASSERT_TRUE(got) << got.error().message;
  DirectorySource source(fs_, repo_);
  Updater u(source, fs_, dir_ / "state", kNow);
  ASSERT_TRUE(u.start(bytes_of(root_)));
  ASSERT_TRUE(u.refresh());
  EXPECT_EQ(u.versions().root, 3u);
}

TEST_F(RepositoryTest, DryRunSignsAndWritesNothing) {
  auto r = rotate(yaml(key("root1") + ", " + key("root2"), key("timestamp-new")), true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->removed["timestamp"].size(), 1u);
  EXPECT_FALSE(fs::exists(repo_ / "metadata" / "2.root.json"));
}

TEST_F(RepositoryTest, RotationWithoutTheOldThresholdIsRefused) {
  // New root keys only: root 1's 2-of-2 cannot be met.
  ASSERT_TRUE(signer::generate_key(fs_, key("root3"), {crypto::Algorithm::ed25519, {}}, {}));
  ASSERT_TRUE(signer::generate_key(fs_, key("root4"), {crypto::Algorithm::ed25519, {}}, {}));
  std::string old_config = read(repo_ / "ota-repo.json");
  // Make root 1's second key unavailable.
  fs::rename(dir_ / "root2.pem", dir_ / "root2.offline");
  auto r = rotate(yaml(key("root3") + ", " + key("root4"), key("timestamp")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("root 1's keys"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(repo_ / "metadata" / "2.root.json"));
  EXPECT_EQ(read(repo_ / "ota-repo.json"), old_config);
}

TEST_F(RepositoryTest, FastForwardRecoveryAfterATimestampKeyCompromise) {
  // The attacker holds the timestamp key and, from a mirror, made the client trust
  // timestamp 1000; the repository itself still publishes version 2.
  std::string honest = read(repo_ / "metadata" / "timestamp.json");
  resign("timestamp.json", {"timestamp"}, [](json& s) { s["version"] = 1000; });
  ASSERT_TRUE(fetch("ecu/fw.bin"));
  write(repo_ / "metadata" / "timestamp.json", honest);
  expect_rejected(fetch("ecu/fw.bin"), "older than the trusted 1000");
  // Recovery: rotate the timestamp key, publish as usual (timestamp version 3 < 1000).
  ASSERT_TRUE(rotate(yaml(key("root1") + ", " + key("root2"), key("timestamp-new"))));
  auto published = repository::publish(ctx_, repo_);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_LT(published->versions.timestamp, 1000u);
  auto got = fetch("ecu/fw.bin");
  EXPECT_TRUE(got) << got.error().message;
}

TEST_F(RepositoryTest, ConfigRulesAreEnforced) {
  auto refuse = [&](const std::string& text, const std::string& phrase) {
    auto c = repository::parse_config(text, dir_);
    if (c) {
      auto r = repository::rotate_root(ctx_, repo_, *c, true);
      ASSERT_FALSE(r) << "accepted: " << phrase;
      EXPECT_NE(r.error().message.find(phrase), std::string::npos) << r.error().message;
    } else {
      EXPECT_NE(c.error().message.find(phrase), std::string::npos) << c.error().message;
    }
  };
  refuse(yaml(key("root1") + ", " + key("root1"), key("timestamp")), "lists key");
  refuse(yaml(key("root1") + ", " + key("root2"), key("snapshot")), "one key serves one role only");
  refuse(yaml(key("root1") + ", " + key("root2"), key("timestamp"), 3), "threshold 3 with 2 key(s)");
  refuse(yaml(key("root1") + ", " + key("root2"), key("timestamp"), 0), "threshold 0");
  refuse("roles:\n  root: {keys: [x], colour: red}\n", "unknown field \"colour\"");
  refuse("roles: [\n", "not valid YAML");
  refuse("roles:\n  root: {keys: ['pkcs11:token=t;object=k?pin-value=1234']}\n", "no pin-value");
  refuse("roles:\n  mirror: {keys: [x]}\n", "unknown role \"mirror\"");
}

TEST_F(RepositoryTest, TargetPathsThatEscapeAreRefused) {
  for (const char* bad : {"../fw.bin", "/etc/fw.bin", "a/../../fw.bin", "a//b", "./fw.bin", ""}) {
    auto r = repository::add_target(ctx_, repo_, {dir_ / "fw.bin", bad, "1.0", {"hw"}, {}, "bugfix", 65536});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
  }
  const std::string nul("a\0b", 3);
  for (const std::string& bad : {std::string("a/b"), std::string(".."), std::string("x%2f"), nul, std::string()})
    EXPECT_FALSE(metadata::check_role_name(bad)) << bad;
}

TEST_F(RepositoryTest, AFileChangedAfterAddIsRefusedAtPublish) {
  write(dir_ / "fw2.bin", "second image");
  auto added = repository::add_target(ctx_, repo_, {dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a"}, {}, "feature", 65536});
  ASSERT_TRUE(added);
  auto stored = repo_ / "targets" / "ecu" / (added->targets[0].sha256 + ".fw2.bin");
  write(stored, "changed image");
  std::string before = read(repo_ / "metadata" / "timestamp.json");
  auto r = repository::publish(ctx_, repo_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "target 'ecu/fw2.bin' changed since it was added: add it again");
  EXPECT_EQ(read(repo_ / "metadata" / "timestamp.json"), before);
  EXPECT_FALSE(fs::exists(repo_ / "metadata" / "3.targets.json"));
}

TEST_F(RepositoryTest, PublishNoticesARewriteOfTheSameSizeAndAcceptsATouch) {
  write(dir_ / "fw2.bin", "second image");
  auto added = repository::add_target(ctx_, repo_, {dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a"}, {}, "feature", 65536});
  ASSERT_TRUE(added);
  auto stored = repo_ / "targets" / "ecu" / (added->targets[0].sha256 + ".fw2.bin");
  // Same bytes written again (new mtime): the stamp differs, the hash agrees.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past a coarse timestamp tick
  write(stored, "second image");
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  // Same size, other bytes: only the hash can tell, and publish computes it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past a coarse timestamp tick
  write(stored, "SECOND image");
  auto r = repository::publish(ctx_, repo_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "target 'ecu/fw2.bin' changed since it was added: add it again");
}

TEST_F(RepositoryTest, ParallelAddStagesInRequestOrderAndReportsTheFirstFailure) {
  std::vector<repository::AddRequest> batch;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "fleet/part-" + std::to_string(i) + ".bin";
    write(dir_ / ("part-" + std::to_string(i)), "part " + std::to_string(i) + std::string(size_t(i) * 97, char('a' + i % 26)));
    batch.push_back({dir_ / ("part-" + std::to_string(i)), name, "3.0", {"hw-a"}, {}, "bugfix", 65536});
  }
  // The same name twice: the later request wins, as it would run alone.
  batch.push_back({dir_ / "part-7", "fleet/part-3.bin", "3.1", {"hw-a"}, {}, "bugfix", 65536});
  const std::string staged_before = read(repo_ / "staged-targets.json");
  auto missing = batch;
  missing[29].file = dir_ / "absent-29";
  missing[33].file = dir_ / "absent-33";
  repository::Context parallel = ctx_;
  parallel.jobs = 4;
  auto refused = repository::add_targets(parallel, repo_, missing);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("absent-29"), std::string::npos) << refused.error().message;
  EXPECT_EQ(read(repo_ / "staged-targets.json"), staged_before);

  auto added = repository::add_targets(parallel, repo_, batch);
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_EQ(added->targets.size(), 41u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(added->targets[size_t(i)].name, "fleet/part-" + std::to_string(i) + ".bin");
  const std::string staged_parallel = read(repo_ / "staged-targets.json");
  // One thread gives the same staging file, stamps aside (the copies are kept as they are).
  write(repo_ / "staged-targets.json", staged_before);
  ASSERT_TRUE(repository::add_targets(ctx_, repo_, batch));
  EXPECT_EQ(read(repo_ / "staged-targets.json"), staged_parallel);
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  auto got = fetch("fleet/part-3.bin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(std::string(got->begin(), got->end()), read(dir_ / "part-7"));
  auto last = fetch("fleet/part-39.bin", "state-39");
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(std::string(last->begin(), last->end()), read(dir_ / "part-39"));
}

TEST_F(RepositoryTest, AddingPublishedBytesAgainKeepsTheServedFile) {
  write(dir_ / "fw2.bin", "second image");
  auto first = repository::add_target(ctx_, repo_, {dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a"}, {}, "feature", 65536});
  ASSERT_TRUE(first);
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  auto stored = repo_ / "targets" / "ecu" / (first->targets[0].sha256 + ".fw2.bin");
  struct stat before {};
  ASSERT_EQ(::stat(stored.c_str(), &before), 0);
  auto again = repository::add_target(ctx_, repo_, {dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a", "hw-b"}, {}, "feature", 65536});
  ASSERT_TRUE(again);
  struct stat after {};
  ASSERT_EQ(::stat(stored.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // not replaced by a write that is not yet durable
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  // A damaged stored copy is replaced by the next add of the same bytes.
  write(stored, "SECOND image");
  ASSERT_TRUE(repository::add_target(ctx_, repo_, {dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a"}, {}, "feature", 65536}));
  EXPECT_EQ(read(stored), "second image");
  for (const auto& e : fs::recursive_directory_iterator(repo_))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(RepositoryTest, PublishIsReproducibleWithEd25519Keys) {
  // Same staged targets, same clock, deterministic signatures: two publishes differ in
  // their version numbers only.
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  auto a = json::parse(read(repo_ / "metadata" / "3.targets.json")), b = json::parse(read(repo_ / "metadata" / "4.targets.json"));
  EXPECT_EQ(a["signed"]["version"], 3);
  EXPECT_EQ(b["signed"]["version"], 4);
  a["signed"].erase("version");
  b["signed"].erase("version");
  EXPECT_EQ(a["signed"], b["signed"]);
}

TEST_F(RepositoryTest, AFailedInitLeavesNoRepository) {
  // The timestamp token is absent when init publishes its first timestamp.
  bool token_present = false;
  repository::Context ctx{fs_, kNow,
                          [&](const std::string& ref, const std::string& role) -> Result<std::unique_ptr<signer::Signer>> {
                            if (role == "timestamp" && !token_present)
                              return Error{Errc::hsm, "no token matches 'pkcs11:token=online'"};
                            return signer::open_signer(fs_, ref, {});
                          },
                          [this](const std::string& ref) { return signer::open_public_key(fs_, ref, {}); }};
  auto config = repository::parse_config(yaml(key("root1") + ", " + key("root2"), key("timestamp")), dir_);
  ASSERT_TRUE(config);
  auto failed = repository::init(ctx, *config, dir_ / "second");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::hsm);
  EXPECT_FALSE(fs::exists(dir_ / "second" / "ota-repo.json"));
  // With the token back, the same init succeeds over the leftovers.
  token_present = true;
  auto again = repository::init(ctx, *config, dir_ / "second");
  EXPECT_TRUE(again) << again.error().message;
}


TEST_F(RepositoryTest, TerminatingDelegationStopsTheSearch) {
  ASSERT_TRUE(signer::generate_key(fs_, key("supplier-a"), {crypto::Algorithm::ed25519, {}}, {}));
  ASSERT_TRUE(signer::generate_key(fs_, key("supplier-b"), {crypto::Algorithm::ed25519, {}}, {}));
  write(dir_ / "b.bin", "from supplier b");
  for (bool terminating : {false, true}) {
    // A (first, paths ecu-x/*) lists nothing; B (paths ecu-x/*) lists ecu-x/b.bin.
    ASSERT_TRUE(repository::delegate(ctx_, repo_, {"supplier-a", {{key("supplier-a")}, 1, 30}, {"ecu-x/*"}, terminating}));
    ASSERT_TRUE(repository::delegate(ctx_, repo_, {"supplier-b", {{key("supplier-b")}, 1, 30}, {"ecu-x/*"}, false}));
    repository::AddRequest add{dir_ / "b.bin", "ecu-x/b.bin", "1", {"hw"}, {}, "bugfix", 65536};
    add.role = "supplier-b";
    ASSERT_TRUE(repository::add_target(ctx_, repo_, add));
    auto published = repository::publish(ctx_, repo_);
    ASSERT_TRUE(published) << published.error().message;
    auto got = fetch("ecu-x/b.bin", terminating ? "state-t" : "state-n");
    if (terminating) {
      ASSERT_FALSE(got);
      EXPECT_EQ(got.error().code, Errc::not_found);
    } else {
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(std::string(got->begin(), got->end()), "from supplier b");
    }
    EXPECT_TRUE(fetch("ecu/fw.bin", terminating ? "state-t" : "state-n"));  // outside the delegation
  }
}

TEST_F(RepositoryTest, ASnapshotThatDropsADelegatedRoleIsRejected) {
  // SECURITY-CHECKLIST item 9 (tuf-conformance targets_role_removal).
  ASSERT_TRUE(signer::generate_key(fs_, key("supplier-a"), {crypto::Algorithm::ed25519, {}}, {}));
  ASSERT_TRUE(repository::delegate(ctx_, repo_, {"supplier-a", {{key("supplier-a")}, 1, 30}, {"ecu-x/*"}, false}));
  auto published = repository::publish(ctx_, repo_);
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_TRUE(fetch("ecu/fw.bin"));  // trusts a snapshot that lists supplier-a.json
  const uint64_t v = published->versions.snapshot;
  const std::string old_name = std::to_string(v) + ".snapshot.json", new_name = std::to_string(v + 1) + ".snapshot.json";
  resign(old_name, {"snapshot"}, [&](json& s) {
    s["version"] = v + 1;
    s["meta"].erase("supplier-a.json");
  });
  fs::rename(repo_ / "metadata" / old_name, repo_ / "metadata" / new_name);
  resign("timestamp.json", {"timestamp"}, [&](json& s) {
    s["version"] = s["version"].get<uint64_t>() + 1;
    s["meta"]["snapshot.json"] = {{"version", v + 1}};
  });
  expect_rejected(fetch("ecu/fw.bin"), "drops supplier-a.json");
}

TEST_F(RepositoryTest, DelegationRulesAreEnforced) {
  ASSERT_TRUE(signer::generate_key(fs_, key("supplier-a"), {crypto::Algorithm::ed25519, {}}, {}));
  auto refuse = [&](repository::DelegationConfig d, const std::string& phrase) {
    auto r = repository::delegate(ctx_, repo_, d);
    ASSERT_FALSE(r) << phrase;
    EXPECT_NE(r.error().message.find(phrase), std::string::npos) << r.error().message;
  };
  refuse({"a/b", {{key("supplier-a")}, 1, 30}, {"x/*"}, false}, "role name 'a/b'");
  refuse({"timestamp", {{key("supplier-a")}, 1, 30}, {"x/*"}, false}, "top-level role name");
  refuse({"s", {{key("supplier-a")}, 2, 30}, {"x/*"}, false}, "threshold 2 with 1 key(s)");
  refuse({"s", {{key("timestamp")}, 1, 30}, {"x/*"}, false}, "serves the timestamp role");
  refuse({"s", {{key("supplier-a")}, 1, 30}, {}, false}, "at least one --paths");
  ASSERT_TRUE(repository::delegate(ctx_, repo_, {"s", {{key("supplier-a")}, 1, 30}, {"x/*"}, false}));
  repository::AddRequest add{dir_ / "fw.bin", "y/fw.bin", "1", {"hw"}, {}, "bugfix", 65536};
  add.role = "s";
  auto r = repository::add_target(ctx_, repo_, add);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "target 'y/fw.bin' is outside the paths delegated to 's'");
}


// --- Uptane director (SECURITY-CHECKLIST item 14) ---

class DirectorTest : public RepositoryTest {
 protected:
  void SetUp() override {
    RepositoryTest::SetUp();
    for (const char* k : {"d-root", "d-targets", "d-snapshot", "d-timestamp"})
      ASSERT_TRUE(signer::generate_key(fs_, key(k), {crypto::Algorithm::ed25519, {}}, {}));
    auto config = repository::parse_config("roles:\n  root: {keys: [" + key("d-root") + "], threshold: 1}\n  targets: {keys: [" +
                                               key("d-targets") + "], threshold: 1}\n  snapshot: {keys: [" + key("d-snapshot") +
                                               "]}\n  timestamp: {keys: [" + key("d-timestamp") + "]}\n",
                                           dir_);
    ASSERT_TRUE(config);
    director_ = dir_ / "director";
    ASSERT_TRUE(repository::init(ctx_, *config, director_));
  }
  repository::DirectorRequest request(std::vector<repository::EcuAssignment> ecus) {
    return {"VIN0001", std::move(ecus), repo_, repo_ / "metadata" / "1.root.json"};
  }
  fs::path director_;
};

TEST_F(DirectorTest, AssignsEachEcuItsImageWithTheImageRepositorysHashes) {
  auto report = repository::assign(ctx_, director_, request({{"ECU-1", "hw-a", "ecu/fw.bin", std::nullopt}}));
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_TRUE(repository::publish(ctx_, director_));
  DirectorySource source(fs_, director_);
  Updater u(source, fs_, std::nullopt, kNow);
  ASSERT_TRUE(u.start(bytes_of(read(director_ / "metadata" / "1.root.json"))));
  ASSERT_TRUE(u.refresh());
  auto info = u.find_target("ecu/fw.bin");
  ASSERT_TRUE(info) << info.error().message;
  const json& custom = *info->file.custom;
  EXPECT_EQ(custom["vehicle"], "VIN0001");
  EXPECT_EQ(custom["ecu_identifiers"]["ECU-1"]["hardware_id"], "hw-a");
  EXPECT_EQ(custom["ecu_identifiers"]["ECU-1"]["release_counter"], 0);
  // Length and hashes equal the image repository's entry for the same file.
  auto image = json::parse(read(repo_ / "metadata" / "2.targets.json"))["signed"]["targets"]["ecu/fw.bin"];
  EXPECT_EQ(info->file.length, image["length"].get<uint64_t>());
  EXPECT_EQ(json(info->file.hashes), image["hashes"]);
  // A director repository does not take images or delegations of its own.
  EXPECT_FALSE(repository::add_target(ctx_, director_, {dir_ / "fw.bin", "x/fw.bin", "1", {"hw"}, {}, "bugfix", 65536}));
}

TEST_F(DirectorTest, AVehicleWithNothingToInstallIsStillNamedAndBoundToItsRepository) {
  ASSERT_TRUE(repository::assign(ctx_, director_, request({})));
  ASSERT_TRUE(repository::publish(ctx_, director_));
  DirectorySource source(fs_, director_);
  Updater u(source, fs_, std::nullopt, kNow);
  ASSERT_TRUE(u.start(bytes_of(read(director_ / "metadata" / "1.root.json"))));
  ASSERT_TRUE(u.refresh());
  ASSERT_NE(u.top_targets(), nullptr);
  EXPECT_TRUE(u.top_targets()->targets.empty());
  ASSERT_TRUE(u.top_targets()->custom);
  EXPECT_EQ((*u.top_targets()->custom)["vehicle"], "VIN0001");
  // The repository belongs to VIN0001 now: another vehicle's assignment is refused.
  auto other = request({});
  other.vehicle = "VIN0002";
  auto refused = repository::assign(ctx_, director_, other);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("is the director repository of vehicle 'VIN0001'"), std::string::npos)
      << refused.error().message;
  // A vehicle id names a directory: path characters are refused.
  other.vehicle = "../x";
  EXPECT_FALSE(repository::assign(ctx_, director_, other));
}

TEST_F(DirectorTest, EcusOnOneImageShareAnEntryWithTheirOwnIdentifiers) {
  // Image 2.0 with a delta from 1.0 in the image repository.
  write(dir_ / "fw2.bin", std::string(100000, 'f') + "v2");
  // Delta selection with a real patch is covered end to end by tests/cli/ota-manifest.
  repository::AddRequest add{dir_ / "fw2.bin", "ecu/fw2.bin", "2.0", {"hw-a"}, {}, "security", 65536};
  add.release_counter = 7;
  ASSERT_TRUE(repository::add_target(ctx_, repo_, add));
  ASSERT_TRUE(repository::publish(ctx_, repo_));
  auto report = repository::assign(ctx_, director_, request({{"ECU-1", "hw-a", "ecu/fw2.bin", std::string("1.0")},
                                                             {"ECU-2", "hw-a", "ecu/fw2.bin", std::nullopt}}));
  ASSERT_TRUE(report) << report.error().message;
  // No delta from 1.0 exists: both ECUs get the full image, in one entry.
  EXPECT_FALSE(report->assigned[0].delta);
  ASSERT_TRUE(repository::publish(ctx_, director_));
  auto t = json::parse(read(director_ / "metadata" / "2.targets.json"))["signed"]["targets"];
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t["ecu/fw2.bin"]["custom"]["ecu_identifiers"].size(), 2u);
  EXPECT_EQ(t["ecu/fw2.bin"]["custom"]["ecu_identifiers"]["ECU-2"]["release_counter"], 7);
}

TEST_F(DirectorTest, RefusesTwiceAssignedEcusWrongHardwareAndUnsignedImages) {
  auto twice = repository::assign(ctx_, director_, request({{"ECU-1", "hw-a", "ecu/fw.bin", std::nullopt},
                                                            {"ECU-1", "hw-a", "ecu/fw.bin", std::nullopt}}));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "ECU 'ECU-1' is assigned twice: each ECU at most once");
  auto hw = repository::assign(ctx_, director_, request({{"ECU-1", "hw-b", "ecu/fw.bin", std::nullopt}}));
  ASSERT_FALSE(hw);
  EXPECT_EQ(hw.error().message, "ECU 'ECU-1': image 'ecu/fw.bin' is not built for hardware id 'hw-b' (it lists [\"hw-a\"])");
  auto missing = repository::assign(ctx_, director_, request({{"ECU-1", "hw-a", "ecu/none.bin", std::nullopt}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  // An image repository that does not verify is not used.
  std::string text = read(repo_ / "metadata" / "2.targets.json");
  text.replace(text.find("\"1.0\""), 5, "\"6.6\"");
  write(repo_ / "metadata" / "2.targets.json", text);
  auto tampered = repository::assign(ctx_, director_, request({{"ECU-1", "hw-a", "ecu/fw.bin", std::nullopt}}));
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, Errc::rejected);
}


// SECURITY-CHECKLIST item 7: a publish cut off after any number of completed file
// renames leaves the previously published repository valid for a client.
TEST(PublishPowerCut, EveryPrefixOfAPublishLeavesAValidRepository) {
  testing::MemStorage mem;
  auto make_ctx = [](testing::MemStorage& fs) {
    return repository::Context{
        fs, kNow, [&fs](const std::string& ref, const std::string&) { return signer::open_signer(fs, ref, {}); },
        [&fs](const std::string& ref) { return signer::open_public_key(fs, ref, {}); }};
  };
  repository::Context ctx = make_ctx(mem);
  std::string yaml = "roles:\n";
  for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
    ASSERT_TRUE(signer::generate_key(mem, std::string("file:/k/") + role + ".pem", {crypto::Algorithm::ed25519, {}}, {}));
    yaml += std::string("  ") + role + ": {keys: [file:/k/" + role + ".pem], threshold: 1}\n";
  }
  auto config = repository::parse_config(yaml, "/");
  ASSERT_TRUE(config);
  ASSERT_TRUE(repository::init(ctx, *config, "/repo"));
  mem.files["/in/a.bin"] = bytes_of("image a");
  ASSERT_TRUE(repository::add_target(ctx, "/repo", {"/in/a.bin", "ecu/a.bin", "1", {"hw"}, {}, "bugfix", 65536}));
  ASSERT_TRUE(repository::publish(ctx, "/repo"));  // published: targets 2 lists a.bin
  mem.files["/in/b.bin"] = bytes_of("image b");
  ASSERT_TRUE(repository::add_target(ctx, "/repo", {"/in/b.bin", "ecu/b.bin", "1", {"hw"}, {}, "bugfix", 65536}));

  auto client_view = [&](testing::MemStorage& fs) -> Result<uint64_t> {
    DirectorySource source(fs, "/repo");
    Updater u(source, fs, std::nullopt, kNow);
    OTA_TRY(u.start(fs.files.at("/repo/metadata/1.root.json")));
    OTA_TRY(u.refresh());
    auto a = u.find_target("ecu/a.bin");
    if (!a) return std::move(a).error();
    auto bytes = u.download_target(*a);
    if (!bytes) return std::move(bytes).error();
    return u.versions().targets;
  };
  testing::MemStorage whole = mem;
  const int before = whole.renames;
  repository::Context whole_ctx = make_ctx(whole);
  ASSERT_TRUE(repository::publish(whole_ctx, "/repo"));
  const int writes = whole.renames - before;
  ASSERT_GE(writes, 3);
  EXPECT_EQ(*client_view(whole), 3u);
  for (int n = 0; n < writes; ++n) {
    testing::MemStorage cut = mem;
    cut.cut_after_renames = cut.renames + n;
    repository::Context cut_ctx = make_ctx(cut);
    auto r = repository::publish(cut_ctx, "/repo");
    ASSERT_FALSE(r) << "cut after " << n << " renames";
    EXPECT_EQ(r.error().code, Errc::power_cut);
    cut.cut_after_renames.reset();
    auto seen = client_view(cut);
    ASSERT_TRUE(seen) << "cut after " << n << " renames: " << seen.error().message;
    EXPECT_EQ(*seen, 2u) << "cut after " << n << " renames: the old repository is what clients see";
  }
}

}  // namespace
TEST(BatchFiles, ReleaseFileDefaultsOverridesAndPaths) {
  auto r = repository::parse_release(
      "version: '2.0'\npriority: security\nchunk_size: 8192\nrelease_counter: 4\n"
      "targets:\n"
      "  - {name: a/fw.bin, file: out/a.bin, hardware_ids: [hw-a], deltas: {'1.0': ../p/a.patch}}\n"
      "  - {name: b/fw.bin, file: /abs/b.bin, hardware_ids: [hw-b], version: '2.1', priority: feature, role: supplier}\n",
      "/rel");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].file, "/rel/out/a.bin");
  EXPECT_EQ((*r)[0].version, "2.0");
  EXPECT_EQ((*r)[0].priority, "security");
  EXPECT_EQ((*r)[0].chunk_size, 8192u);
  EXPECT_EQ((*r)[0].release_counter, 4u);
  ASSERT_EQ((*r)[0].deltas.size(), 1u);
  EXPECT_EQ((*r)[0].deltas[0].from_version, "1.0");
  EXPECT_EQ((*r)[0].deltas[0].patch, "/p/a.patch");
  EXPECT_EQ((*r)[1].file, "/abs/b.bin");
  EXPECT_EQ((*r)[1].version, "2.1");
  EXPECT_EQ((*r)[1].priority, "feature");
  EXPECT_EQ((*r)[1].role, "supplier");
  auto refuse = [](const std::string& yaml, const std::string& phrase) {
    auto bad = repository::parse_release(yaml, "/");
    ASSERT_FALSE(bad) << yaml;
    EXPECT_NE(bad.error().message.find(phrase), std::string::npos) << bad.error().message;
  };
  refuse("targets:\n  - {name: a, file: f, hardware_ids: [h]}\n", "has no version");
  refuse("version: '1'\ntargets:\n  - {name: a, file: f, hardware_ids: [h]}\n  - {name: a, file: g, hardware_ids: [h]}\n",
         "line 4: target 'a' is listed twice");
  refuse("version: '1'\ntargets: []\n", "at least one target");
  refuse("version: '1'\ntargets:\n  - {name: a, hardware_ids: [h]}\n", "needs \"file\"");
  refuse("version: '1'\ncolour: red\ntargets: []\n", "unknown field \"colour\"");
  refuse("targets: [\n", "not valid YAML");
}

TEST(BatchFiles, FleetFileVehiclesAndEcus) {
  auto f = repository::parse_fleet(
      "vehicles:\n  - vin: VIN-1\n    ecus:\n      - {serial: E1, hardware_id: hw, target: a/fw.bin, installed_version: '1.0'}\n"
      "      - {serial: E2, hardware_id: hw, target: a/fw.bin}\n  - {vin: VIN-2}\n");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].ecus.size(), 2u);
  EXPECT_EQ((*f)[0].ecus[0].installed_version, std::optional<std::string>("1.0"));
  EXPECT_FALSE((*f)[0].ecus[1].installed_version);
  EXPECT_TRUE((*f)[1].ecus.empty());
  for (const char* bad : {"vehicles:\n  - {vin: A}\n  - {vin: A}\n", "vehicles:\n  - {vin: 'a/b'}\n",
                          "vehicles:\n  - {vin: ..}\n", "vehicles:\n  - {vin: A, ecus: [{serial: E}]}\n",
                          "vehicles: []\n", "fleet: []\n"})
    EXPECT_FALSE(repository::parse_fleet(bad)) << bad;
}

}  // namespace ota::client
