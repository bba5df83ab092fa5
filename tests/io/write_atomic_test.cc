#include "io/write_atomic.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "fakes/mem_storage.h"
#include "io/posix_storage.h"

namespace ota::io {
namespace {

TEST(WriteAtomic, PublishesOnlyAfterProduceSucceeds) {
  testing::MemStorage fs;
  fs.files["dir/out"] = {9};
  auto r = write_atomic(fs, "dir/out", FileMode::kPublic, [&](Writer& w) -> Result<void> {
    OTA_TRY(w.write(Bytes{1, 2}));
    EXPECT_EQ(fs.files["dir/out"], Bytes{9});  // still the old content mid-write
    return w.write(Bytes{3});
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(fs.files["dir/out"], (Bytes{1, 2, 3}));
  EXPECT_EQ(fs.files.size(), 1u);
  EXPECT_EQ(fs.dir_syncs, 1);
}

TEST(WriteAtomic, FailureRemovesTheTemporaryAndKeepsTheOldFile) {
  testing::MemStorage fs;
  fs.files["out"] = {9};
  auto r = write_atomic(fs, "out", FileMode::kPublic, [](Writer& w) -> Result<void> {
    OTA_TRY(w.write(Bytes{1}));
    return Error{Errc::corrupt, "bad input"};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "bad input");
  EXPECT_EQ(fs.files.size(), 1u);
  EXPECT_EQ(fs.files["out"], Bytes{9});
}

TEST(WriteAtomic, RenameFailureLeavesNothing) {
  testing::MemStorage fs;
  fs.fail_rename = true;
  auto r = write_atomic(fs, "out", FileMode::kPublic, [](Writer& w) { return w.write(Bytes{1}); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(fs.files.empty());
}

class PosixWriteAtomic : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-io-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(PosixWriteAtomic, WritesAndReadsBack) {
  PosixStorage fs;
  Bytes big(600000, 0xAB);  // larger than the writer's buffer
  ASSERT_TRUE(write_atomic(fs, dir_ / "f", FileMode::kPublic, [&](Writer& w) { return w.write(big); }));
  auto in = fs.open_input(dir_ / "f");
  ASSERT_TRUE(in);
  EXPECT_TRUE(std::equal(big.begin(), big.end(), (*in)->bytes().begin(), (*in)->bytes().end()));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(PosixWriteAtomic, PrivateFilesAre0600) {
  PosixStorage fs;
  ASSERT_TRUE(write_atomic(fs, dir_ / "key", FileMode::kPrivate, [](Writer& w) { return w.write(Bytes{1}); }));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(PosixWriteAtomic, FailedProduceLeavesTheDirectoryEmpty) {
  PosixStorage fs;
  auto r = write_atomic(fs, dir_ / "f", FileMode::kPublic, [](Writer& w) -> Result<void> {
    OTA_TRY(w.write(Bytes(1000, 1)));
    return Error{Errc::corrupt, "no"};
  });
  ASSERT_FALSE(r);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(PosixWriteAtomic, MissingAndDirectoryInputsAreNamed) {
  PosixStorage fs;
  auto missing = fs.open_input(dir_ / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto directory = fs.open_input(dir_);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, Errc::invalid_argument);
}

TEST_F(PosixWriteAtomic, MissingOutputDirectoryIsAnIoError) {
  PosixStorage fs;
  auto r = write_atomic(fs, dir_ / "no" / "f", FileMode::kPublic, [](Writer& w) { return w.write(Bytes{1}); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST(WriteNew, CreatesOnlyWhatIsAbsentWithoutSyncingAndLeavesNoTemporary) {
  testing::MemStorage mem;
  auto made = write_new(mem, "dir/out", FileMode::kPublic, Bytes{1, 2});
  ASSERT_TRUE(made);
  EXPECT_TRUE(made->created);
  EXPECT_EQ(made->stamp, *mem.stamp("dir/out"));
  EXPECT_EQ(mem.dir_syncs, 0);
  auto again = write_new(mem, "dir/out", FileMode::kPublic, Bytes{9});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(mem.files["dir/out"], (Bytes{1, 2}));
  EXPECT_EQ(mem.files.size(), 1u);  // the temporary file is gone
  mem.fail_after_bytes = 0;
  EXPECT_FALSE(write_new(mem, "dir/other", FileMode::kPublic, Bytes{1}));
  EXPECT_EQ(mem.files.size(), 1u);
}

TEST_F(PosixWriteAtomic, WriteNewThenSyncFilesystem) {
  PosixStorage fs;
  auto dest = dir_ / "new";
  auto made = write_new(fs, dest, FileMode::kPublic, Bytes{1, 2});
  ASSERT_TRUE(made);
  EXPECT_TRUE(made->created);
  EXPECT_EQ(std::filesystem::file_size(dest), 2u);
  EXPECT_EQ(made->stamp, *fs.stamp(dest));  // the rename kept size, mtime and inode
  EXPECT_TRUE(fs.sync_filesystem(dir_));
  auto missing = fs.sync_filesystem(dir_ / "absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(PosixWriteAtomic, RenameIfAbsentNeverReplaces) {
  PosixStorage fs;
  auto write_file = [](const std::filesystem::path& p, const char* text) { std::ofstream(p) << text; };
  write_file(dir_ / "a", "new");
  write_file(dir_ / "b", "old");
  auto r = fs.rename_if_absent(dir_ / "a", dir_ / "b");
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "a"));
  std::ifstream b(dir_ / "b");
  std::string text((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(text, "old");
  r = fs.rename_if_absent(dir_ / "a", dir_ / "c");
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a"));
}

TEST_F(PosixWriteAtomic, StampChangesWithEveryRewriteAndSurvivesARename) {
  PosixStorage fs;
  std::filesystem::path temp;
  auto out = fs.create_temp(dir_ / "f", FileMode::kPublic, temp);
  ASSERT_TRUE(out);
  ASSERT_TRUE((*out)->write(Bytes{1, 2, 3}));
  auto written = (*out)->stamp();  // flushes first
  ASSERT_TRUE(written);
  EXPECT_EQ(written->size, 3u);
  ASSERT_TRUE((*out)->close());
  ASSERT_TRUE(fs.rename(temp, dir_ / "f"));
  auto renamed = fs.stamp(dir_ / "f");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(*renamed, *written);
  usleep(20000);  // beyond the coarsest kernel timestamp tick (10 ms at HZ=100)
  { std::ofstream(dir_ / "f", std::ios::binary) << "abc"; }  // same size, rewritten in place
  auto rewritten = fs.stamp(dir_ / "f");
  ASSERT_TRUE(rewritten);
  EXPECT_EQ(rewritten->size, 3u);
  EXPECT_NE(*rewritten, *written);
  auto missing = fs.stamp(dir_ / "none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(PosixWriteAtomic, InputsOfEverySizeReadBackExactly) {
  PosixStorage fs;
  // Small files go to the heap, large ones to a mapping: both must hold the bytes.
  for (size_t size : {size_t(0), size_t(1), size_t(4096), size_t(1) << 20, (size_t(1) << 20) + 1, size_t(3) << 20}) {
    Bytes content(size);
    for (size_t i = 0; i < size; ++i) content[i] = uint8_t(i * 131 + size);
    auto path = dir_ / ("in-" + std::to_string(size));
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(content.data()), std::streamsize(size));
    auto in = fs.open_input(path);
    ASSERT_TRUE(in) << size;
    ASSERT_EQ((*in)->bytes().size(), size);
    EXPECT_TRUE(std::equal(content.begin(), content.end(), (*in)->bytes().begin())) << size;
  }
}

}  // namespace
}  // namespace ota::io
