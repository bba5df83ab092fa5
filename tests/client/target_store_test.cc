// ota-fetch's target directory (client/target_store.h): flat quoted names that never leave
// the directory, the cache rule, replacement of changed targets, and resumable downloads
// (tuf-conformance's test_file_download.py behaviours, plus resume).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/names.h"
#include "client/target_store.h"
#include "client/updater.h"
#include "fakes/repo_sim.h"
#include "io/posix_storage.h"

namespace ota::client {
namespace {

namespace fs = std::filesystem;
using testing::MemRepoSource;
using testing::RepoSim;

constexpr metadata::Time kNow = 1'800'000'000;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A link that drops after `drop_after` bytes of each target stream (once, or every time).
class DroppingSource final : public Source {
 public:
  explicit DroppingSource(Source& inner) : inner_(inner) {}
  std::optional<uint64_t> drop_after;
  bool once = true;
  std::vector<uint64_t> offsets;  // the offset of every target stream asked for
  Result<Bytes> fetch_metadata(const std::string& name, size_t max) override { return inner_.fetch_metadata(name, max); }
  Result<Bytes> fetch_target(const std::string& path, size_t max) override { return inner_.fetch_target(path, max); }
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override {
    return inner_.fetch_target_range(path, offset, length);
  }
  Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max, const ByteSink& sink) override {
    offsets.push_back(offset);
    if (!drop_after) return inner_.stream_target(path, offset, max, sink);
    const uint64_t cut = *drop_after;
    if (once) drop_after.reset();
    return inner_.stream_target(path, offset, max, [&, sent = uint64_t(0)](ByteView b) mutable -> Result<void> {
      if (sent + b.size() > cut) {
        OTA_TRY(sink(b.first(size_t(cut - sent))));
        return Error{Errc::io, "connection dropped"};
      }
      sent += b.size();
      return sink(b);
    });
  }

 private:
  Source& inner_;
};

class TargetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-target-store-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    targets_ = dir_ / "targets";
    ASSERT_TRUE(fs_.create_directories(targets_));
  }
  void TearDown() override { fs::remove_all(dir_); }

  void publish_target(const std::string& path, const std::string& bytes) {
    sim_.add_target("targets", path, bytes);
    sim_.publish({"targets", "snapshot", "timestamp"});
  }
  // One client run: refresh, then the target into the store.
  Result<StoredTarget> fetch(const std::string& path) {
    Updater u(link_, fs_, dir_ / "metadata", kNow);
    OTA_TRY(u.start(bytes_of(sim_.published.at("root").at(1))));
    OTA_TRY(u.refresh());
    auto info = u.find_target(path);
    if (!info) return std::move(info).error();
    return store().fetch(u, *info);
  }
  std::vector<std::string> visible() const {  // what the suite's glob would see
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(targets_))
      if (e.path().filename().string()[0] != '.') out.push_back(e.path().filename().string());
    return out;
  }
  size_t partial_files() const {
    const fs::path p = targets_ / ".ota-fetch" / "partial";
    if (!fs::exists(p)) return 0;
    return size_t(std::distance(fs::directory_iterator(p), fs::directory_iterator()));
  }

  fs::path dir_, targets_;
  io::PosixStorage fs_;
  RepoSim sim_{kNow};
  MemRepoSource source_{sim_};
  DroppingSource link_{source_};
  TargetStore store() { return TargetStore(fs_, targets_); }
};

TEST_F(TargetStoreTest, EveryPathIsOneFlatFileInsideTheDirectory) {
  for (const std::string path : {"a/b.bin", "../escape", ".hidden", "..", "%2Fx", "dir/../../x", "sp ace"}) {
    auto file = store().file_for(path);
    ASSERT_TRUE(file) << path;
    EXPECT_EQ(file->parent_path(), targets_) << path;
    const std::string name = file->filename().string();
    EXPECT_EQ(name.find('/'), std::string::npos) << path;
    EXPECT_NE(name[0], '.') << path;
  }
  EXPECT_EQ(store().file_for("a/b.bin")->filename(), "a%2Fb.bin");
  EXPECT_EQ(store().file_for("..")->filename(), "%2E.");
  EXPECT_EQ(store().file_for("%2Fx")->filename(), "%252Fx");  // no collision with "/x"
  EXPECT_NE(*store().file_for("%2Fx"), *store().file_for("/x"));
}

TEST_F(TargetStoreTest, AQuotedNameLongerThanAFileNameIsRefused) {
  auto file = store().file_for(std::string(100, '/'));  // 300 bytes quoted
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, Errc::unsupported);
  EXPECT_TRUE(store().file_for(std::string(255, 'a')));
}

TEST_F(TargetStoreTest, DownloadsVerifiesAndStoresUnderTheQuotedPath) {
  publish_target("fw/app.bin", "application v1");
  auto got = fetch("fw/app.bin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->downloaded);
  EXPECT_EQ(got->bytes_downloaded, 14u);
  EXPECT_EQ(read(targets_ / "fw%2Fapp.bin"), "application v1");
  EXPECT_EQ(visible(), std::vector<std::string>{"fw%2Fapp.bin"});
  EXPECT_EQ(partial_files(), 0u);
}

TEST_F(TargetStoreTest, APresentTargetWithMatchingHashesIsNotDownloadedAgain) {
  publish_target("fw/app.bin", "application v1");
  ASSERT_TRUE(fetch("fw/app.bin"));
  source_.target_requests.clear();
  auto again = fetch("fw/app.bin");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->downloaded);
  EXPECT_TRUE(source_.target_requests.empty());
}

TEST_F(TargetStoreTest, OtherBytesUnderTheNameAreReplaced) {
  publish_target("fw/app.bin", "application v1");
  std::ofstream(targets_ / "fw%2Fapp.bin") << "stale or tampered";
  auto got = fetch("fw/app.bin");
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->downloaded);
  EXPECT_EQ(read(targets_ / "fw%2Fapp.bin"), "application v1");
}

TEST_F(TargetStoreTest, AChangedTargetReplacesTheSameFile) {
  publish_target("fw/app.bin", "application v1");
  for (int round = 2; round <= 5; ++round) {
    const std::string content = "application v" + std::to_string(round) + std::string(size_t(round), '!');
    publish_target("fw/app.bin", content);
    auto got = fetch("fw/app.bin");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(read(targets_ / "fw%2Fapp.bin"), content);
    EXPECT_EQ(visible().size(), 1u);
  }
}

TEST_F(TargetStoreTest, SubstitutedServerContentNeverLands) {
  publish_target("fw/app.bin", "application v1");
  ASSERT_TRUE(fetch("fw/app.bin"));
  publish_target("fw/app.bin", "application v2");
  // The server sends other bytes of the same length under v2's name.
  for (auto& [path, artifact] : sim_.artifacts)
    if (path == "fw/app.bin") artifact.bytes = "applicatioN v2";
  auto got = fetch("fw/app.bin");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::rejected);
  EXPECT_EQ(read(targets_ / "fw%2Fapp.bin"), "application v1");  // the old file stays
  EXPECT_EQ(partial_files(), 0u);
}

TEST_F(TargetStoreTest, AnInterruptedDownloadResumesFromThePartialFile) {
  const std::string content(100000, 'x');
  publish_target("big.bin", content + "end");
  link_.drop_after = 40000;
  auto first = fetch("big.bin");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, Errc::io);
  EXPECT_TRUE(visible().empty());
  EXPECT_EQ(partial_files(), 1u);
  auto second = fetch("big.bin");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->resumed_from, 40000u);
  EXPECT_EQ(second->bytes_downloaded, 60003u);
  EXPECT_EQ(link_.offsets, (std::vector<uint64_t>{0, 40000}));
  EXPECT_EQ(read(targets_ / "big.bin"), content + "end");
  EXPECT_EQ(partial_files(), 0u);
}

TEST_F(TargetStoreTest, AResumedFileFailingItsHashesIsDiscardedAndFetchedAgainOnce) {
  publish_target("big.bin", std::string(50000, 'y'));
  link_.drop_after = 20000;
  ASSERT_FALSE(fetch("big.bin"));
  // The kept prefix is damaged on disk: the whole file fails its hash, so it is fetched
  // once more from the start.
  const fs::path partial = *fs::directory_iterator(targets_ / ".ota-fetch" / "partial");
  std::fstream(partial, std::ios::in | std::ios::out | std::ios::binary).write("Z", 1);
  auto got = fetch("big.bin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(link_.offsets, (std::vector<uint64_t>{0, 20000, 0}));
  EXPECT_EQ(got->resumed_from, 0u);
  EXPECT_EQ(read(targets_ / "big.bin"), std::string(50000, 'y'));
}

TEST_F(TargetStoreTest, APartialFileOfOtherContentIsNotResumed) {
  publish_target("big.bin", std::string(50000, 'a'));
  link_.drop_after = 20000;
  ASSERT_FALSE(fetch("big.bin"));
  publish_target("big.bin", std::string(50000, 'b'));  // changed meanwhile
  auto got = fetch("big.bin");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->resumed_from, 0u);
  EXPECT_EQ(read(targets_ / "big.bin"), std::string(50000, 'b'));
}

TEST_F(TargetStoreTest, ATargetLongerThanSignedIsRefusedAndNothingIsKept) {
  publish_target("fw.bin", "signed bytes");
  for (auto& [path, artifact] : sim_.artifacts)
    if (path == "fw.bin") artifact.bytes = "signed bytes and then some more";
  auto got = fetch("fw.bin");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::rejected);
  EXPECT_TRUE(visible().empty());
  EXPECT_EQ(partial_files(), 0u);
}

}  // namespace
}  // namespace ota::client
