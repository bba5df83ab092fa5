// The VCDIFF encoder: every patch is decoded by the real xdelta3 3.0.11 (`xdelta3 -d -s OLD`)
// and by vcdiff_apply, and compared byte for byte with the new file; sizes against
// `xdelta3 -e -9 -S none` on an executable.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tools/test_files.h"
#include "delta/vcdiff.h"
#include "tools/test_data.h"

namespace ota::delta {
namespace {

namespace fs = std::filesystem;

using testing::read_file;

using testing::write_file;

Bytes encode(const Bytes& old_data, const Bytes& new_data, const VcdiffParams& params = {}) {
  auto patch = vcdiff_encode(old_data, new_data, params);
  EXPECT_TRUE(patch) << patch.error().message;
  return patch ? std::move(*patch) : Bytes{};
}

// Grows a copy of `b` by `times` copies of it, for self-referencing targets.
Bytes repeated(const Bytes& b, int times) {
  Bytes out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), b.begin(), b.end());
  return out;
}

class VcdiffEncodeInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("vcdiff-encode-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `xdelta3 -d -f -s OLD PATCH OUT`, which also checks the windows' Adler-32.
  Bytes xdelta3_decode(const Bytes& old_data, const Bytes& patch) {
    write_file(dir_ / "old", old_data);
    write_file(dir_ / "patch", patch);
    fs::remove(dir_ / "out");
    const std::string cmd = "cd '" + dir_.string() + "' && xdelta3 -d -f -q -s old patch out";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return read_file(dir_ / "out");
  }

  // The size of `xdelta3 -e -9 -S none -A -s OLD NEW`: no secondary compression and no
  // application header, as vcdiff_encode writes.
  uintmax_t xdelta3_size(const Bytes& old_data, const Bytes& new_data) {
    write_file(dir_ / "old", old_data);
    write_file(dir_ / "new", new_data);
    const std::string cmd =
        "cd '" + dir_.string() + "' && xdelta3 -e -9 -S none -A -f -q -s old new xpatch";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return fs::file_size(dir_ / "xpatch");
  }

  // Encodes, then decodes with xdelta3 and with vcdiff_apply; both must give `new_data`.
  Bytes check(const Bytes& old_data, const Bytes& new_data, const VcdiffParams& params = {}) {
    Bytes patch = encode(old_data, new_data, params);
    EXPECT_TRUE(xdelta3_decode(old_data, patch) == new_data)
        << "xdelta3 output differs; old " << old_data.size() << " new " << new_data.size();
    io::VectorWriter out;
    auto n = vcdiff_apply(old_data, patch, out, ApplyLimits{});
    EXPECT_TRUE(n) << n.error().message;
    EXPECT_TRUE(out.bytes == new_data) << "vcdiff_apply output differs";
    return patch;
  }

  fs::path dir_;
};

TEST_F(VcdiffEncodeInterop, Xdelta3DecodesEdgeCasesWithAndWithoutAdler32) {
  const Bytes random = testing::random_bytes(65536, 1), other = testing::random_bytes(65536, 2);
  Bytes inserted = random, deleted = random, modified = random;
  const Bytes block = testing::random_bytes(3000, 3);
  inserted.insert(inserted.begin() + 30000, block.begin(), block.end());
  deleted.erase(deleted.begin() + 20000, deleted.begin() + 25000);
  for (size_t i = 30000; i < 31000; i += 7) modified[i] ^= 0x5A;
  const Bytes a{'a'}, b{'b'};
  const std::vector<std::pair<Bytes, Bytes>> pairs = {
      {{}, {}},
      {{}, random},
      {random, {}},
      {random, random},
      {a, a},
      {a, b},
      {{}, a},
      {a, {}},
      {random, other},
      {random, inserted},
      {random, deleted},
      {random, modified},
      {{}, repeated(block, 20)},  // no source: target copies and ADDs only
      {block, repeated(block, 5)}};
  for (bool adler32 : {true, false})
    for (const auto& [o, n] : pairs) {
      SCOPED_TRACE("old " + std::to_string(o.size()) + " new " + std::to_string(n.size()) +
                   " adler32 " + std::to_string(adler32));
      check(o, n, {.adler32 = adler32});
    }
}

// Many small pairs and window sizes, down to windows shorter than a fingerprint: every
// path of the matcher (runs, target copies, taking back earlier operations, window ends).
TEST_F(VcdiffEncodeInterop, RoundTripsManySmallPairs) {
  std::mt19937_64 rng(15);
  const uint64_t windows[] = {1, 7, 16, 100, 4096, uint64_t(8) << 20};
  for (int i = 0; i < 300; ++i) {
    const size_t size = size_t(rng() % 6000);
    Bytes old_data =
        rng() % 2 ? testing::structured_bytes(size, rng()) : testing::random_bytes(size, rng());
    if (rng() % 4 == 0)
      old_data.insert(old_data.begin() + long(size / 2), size_t(rng() % 300), uint8_t(rng()));
    Bytes new_data = old_data;
    for (int m = int(rng() % 4); m > 0; --m) new_data = testing::mutate(new_data, rng());
    const VcdiffParams params{.window_size = windows[rng() % std::size(windows)],
                              .adler32 = rng() % 2 == 0};
    SCOPED_TRACE("case " + std::to_string(i) + " window " + std::to_string(params.window_size));
    const Bytes patch = encode(old_data, new_data, params);
    io::VectorWriter out;
    auto n = vcdiff_apply(old_data, patch, out, ApplyLimits{});
    ASSERT_TRUE(n) << n.error().message;
    ASSERT_TRUE(out.bytes == new_data);
    if (i % 10 == 0) {
      ASSERT_TRUE(xdelta3_decode(old_data, patch) == new_data);
    }
  }
}

TEST_F(VcdiffEncodeInterop, SmallEditsCostFewBytes) {
  const Bytes random = testing::random_bytes(65536, 4);
  Bytes modified = random;
  for (size_t i = 1000; i < 60000; i += 1000) modified[i] ^= 0xFF;  // 59 one-byte edits
  EXPECT_LT(check(random, random).size(), 40u);
  // Each edit: COPY 999 (opcode, 2-byte size, 2-byte NEAR address) + ADD 1 (opcode, byte).
  const size_t ours = check(random, modified).size();
  EXPECT_LE(ours, 40u + 59 * 7);
  EXPECT_LE(ours, xdelta3_size(random, modified));
}

TEST_F(VcdiffEncodeInterop, LongRunsAreCheapAndFast) {
  const Bytes zeros(1 << 20, 0), random = testing::random_bytes(1 << 20, 5);
  Bytes mixed = random;
  std::fill(mixed.begin() + 1000, mixed.begin() + 500000, uint8_t(0xFF));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_LT(check({}, zeros).size(), 64u);
  EXPECT_LT(check(zeros, zeros).size(), 64u);
  EXPECT_LT(check(random, zeros).size(), 64u);
  EXPECT_LT(check(zeros, mixed).size(), random.size() - 498000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0) << "quadratic behaviour on runs?";
}

TEST_F(VcdiffEncodeInterop, ManySmallWindows) {
  const Bytes old_data = testing::structured_bytes(300000, 6);
  const Bytes new_data = testing::mutate(old_data, 7);
  for (bool adler32 : {true, false}) {
    const Bytes patch = check(old_data, new_data, {.window_size = 4096, .adler32 = adler32});
    auto info = inspect_vcdiff(patch);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->windows, (new_data.size() + 4095) / 4096);
    EXPECT_EQ(info->target_size, new_data.size());
    EXPECT_EQ(info->adler32, adler32);
    EXPECT_FALSE(info->secondary);
    EXPECT_FALSE(info->app_header);
  }
}

TEST_F(VcdiffEncodeInterop, TwentyMegabytesWithTheDefaultWindow) {
  const Bytes old_data = testing::structured_bytes(20 << 20, 8);
  const Bytes new_data = testing::mutate(old_data, 9);
  const Bytes patch = check(old_data, new_data);
  auto info = inspect_vcdiff(patch);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->windows, 3u);
  EXPECT_LT(patch.size(), new_data.size() / 50);
}

// xdelta3 -d reads the source through a 64 MiB block cache (-B): a source segment that
// spans more than that must still decode.
TEST_F(VcdiffEncodeInterop, SourceSegmentWiderThanXdelta3SourceWindow) {
  const Bytes old_data = testing::random_bytes(68 << 20, 10);
  Bytes new_data(old_data.end() - 100000, old_data.end());
  new_data.insert(new_data.end(), old_data.begin(), old_data.begin() + 100000);
  new_data.insert(new_data.end(), old_data.begin() + (34 << 20),
                  old_data.begin() + (34 << 20) + 1000);
  EXPECT_LT(check(old_data, new_data).size(), 100u);
}

// The test binary is a real executable: mutated, it is a realistic pair. Its first 4 MiB
// only, which keeps sanitizer builds (larger, slower) quick.
TEST_F(VcdiffEncodeInterop, SizeWithinReachOfXdelta3OnAnExecutable) {
  Bytes old_data = read_file("/proc/self/exe");
  ASSERT_GT(old_data.size(), 100000u);
  old_data.resize(std::min<size_t>(old_data.size(), 4 << 20));
  const Bytes new_data = testing::mutate(old_data, 11);
  const Bytes patch = check(old_data, new_data);
  const uintmax_t theirs = xdelta3_size(old_data, new_data);
  std::printf("executable %zu bytes: vcdiff_encode %zu, xdelta3 -9 -S none %ju\n", old_data.size(),
              patch.size(), theirs);
  EXPECT_LE(double(patch.size()), 1.5 * double(theirs));
}

TEST(VcdiffEncode, IsDeterministic) {
  const Bytes old_data = testing::structured_bytes(500000, 12);
  const Bytes new_data = testing::mutate(old_data, 13);
  const VcdiffParams params{.window_size = 100000};
  EXPECT_EQ(encode(old_data, new_data, params), encode(old_data, new_data, params));
}

TEST(VcdiffEncode, WritesTheStandardHeaderOnly) {
  const Bytes patch = encode({}, {});
  // Magic, Hdr_Indicator 0, then one empty window: VCD_ADLER32, delta length 9, target
  // length 0, Delta_Indicator 0, three empty sections, Adler-32 of nothing (1).
  const Bytes expected = {0xD6, 0xC3, 0xC4, 0x00, 0x00, 0x04, 0x09, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(patch, expected);
}

TEST(VcdiffEncode, ReportsProgressPerWindow) {
  const Bytes new_data = testing::random_bytes(10000, 14);
  std::vector<uint64_t> seen;
  auto r = vcdiff_encode({}, new_data, {.window_size = 4096}, [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, new_data.size());
    seen.push_back(done);
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(seen, (std::vector<uint64_t>{4096, 8192, 10000}));
}

TEST(VcdiffEncode, RejectsWindowSizesXdelta3Refuses) {
  for (uint64_t size : {uint64_t(0), (uint64_t(16) << 20) + 1}) {
    auto r = vcdiff_encode({}, Bytes(10), {.window_size = size});
    ASSERT_FALSE(r) << size;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find("window size"), std::string::npos);
  }
  EXPECT_TRUE(vcdiff_encode({}, Bytes(10), {.window_size = uint64_t(16) << 20}));
}

// Reserved, never touched: the size check comes before any byte is read.
TEST(VcdiffEncode, RefusesOldFilesBeyondXdelta3Addresses) {
  const size_t size = size_t(1) << 32;
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto r = vcdiff_encode(ByteView(static_cast<const uint8_t*>(p), size), Bytes(10));
  ::munmap(p, size);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_NE(r.error().message.find("zstd"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ota::delta
