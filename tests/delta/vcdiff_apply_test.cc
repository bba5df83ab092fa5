// The VCDIFF decoder: xdelta3 goldens (tests/data/delta/vcdiff, PROVENANCE.md), hand-built
// windows for each RFC 3284 rule, hostile inputs, and interop with the real xdelta3 3.0.11.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "tools/test_files.h"
#include "delta/vcdiff.h"
#include "delta/vcdiff_craft.h"
#include "delta/vcdiff_internal.h"
#include "tools/test_data.h"

namespace ota::delta {
namespace {

namespace fs = std::filesystem;
using namespace vcdiff;
using namespace testing::vcdiff;

const fs::path kData = fs::path(OTA_TEST_DATA) / "delta/vcdiff";

using testing::read_file;

using testing::write_file;

Result<Bytes> decode(const Bytes& old_data, const Bytes& patch,
                     ApplyLimits limits = {.max_output_bytes = 64 << 20}) {
  io::VectorWriter out;
  auto n = vcdiff_apply(old_data, patch, out, limits);
  if (!n) return std::move(n).error();
  EXPECT_EQ(*n, out.bytes.size());
  return std::move(out.bytes);
}

void expect_error(const Result<Bytes>& r, Errc code, const std::string& needle) {
  ASSERT_FALSE(r) << "decoded " << r->size() << " bytes";
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

// ---- goldens ------------------------------------------------------------------------

const char* const kGoldens[] = {"xdelta3-default.vcdiff", "xdelta3-9.vcdiff",
                                "xdelta3-none.vcdiff",    "xdelta3-w16k.vcdiff",
                                "xdelta3-none-w16k.vcdiff"};

TEST(VcdiffGolden, AppliesWhatXdelta3Wrote) {
  const Bytes old_data = read_file(kData / "old.bin"), new_data = read_file(kData / "new.bin");
  for (const char* name : kGoldens) {
    auto r = decode(old_data, read_file(kData / name));
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_EQ(*r, new_data) << name;
  }
  auto r = decode({}, read_file(kData / "xdelta3-nosource.vcdiff"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, new_data);
}

TEST(VcdiffGolden, InspectReadsXdelta3Headers) {
  auto info = inspect_vcdiff(read_file(kData / "xdelta3-w16k.vcdiff"));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->secondary, "lzma");
  EXPECT_FALSE(info->custom_code_table);
  EXPECT_EQ(info->app_header, str("new.bin//old.bin/"));
  EXPECT_EQ(info->windows, 3u);
  EXPECT_EQ(info->target_size, 36339u);
  EXPECT_TRUE(info->adler32);
  auto none = inspect_vcdiff(read_file(kData / "xdelta3-none.vcdiff"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->secondary);
  EXPECT_EQ(none->windows, 1u);
}

// VCDIFF has no end marker: a cut at a window boundary is a shorter valid delta, whose
// output is a prefix (the ota trailer's digest catches that). Any other cut is an error.
TEST(VcdiffGolden, TruncationAtEveryByteIsAnErrorOrAWindowPrefix) {
  const Bytes old_data = read_file(kData / "old.bin"), new_data = read_file(kData / "new.bin");
  for (const char* name : kGoldens) {
    const Bytes patch = read_file(kData / name);
    int prefixes = 0;
    for (size_t n = 0; n < patch.size(); ++n) {
      auto r = decode(old_data, Bytes(patch.begin(), patch.begin() + long(n)));
      if (!r) {
        EXPECT_FALSE(r.error().message.empty());
        continue;
      }
      ++prefixes;
      EXPECT_EQ(r->size() % 16384, 0u) << name << " cut at " << n;
      EXPECT_TRUE(r->size() < new_data.size() &&
                  std::equal(r->begin(), r->end(), new_data.begin()))
          << name << " cut at " << n;
    }
    EXPECT_EQ(prefixes, std::string(name).find("w16k") != std::string::npos ? 2 : 0) << name;
  }
}

// Offset of the first window's sections in an uncompressed xdelta3 golden.
size_t first_sections_offset(const Bytes& p, size_t header_size) {
  ByteCursor c(p, header_size);
  uint8_t b = 0;
  uint64_t v = 0;
  EXPECT_TRUE(c.byte(b) && c.varint(v) && c.varint(v) && c.varint(v) && c.varint(v) &&
              c.byte(b) && c.varint(v) && c.varint(v) && c.varint(v));
  return c.pos() + 4;  // adler32
}

TEST(VcdiffGolden, EveryBitFlipInTheHeadersIsRejected) {
  const Bytes old_data = read_file(kData / "old.bin"), patch = read_file(kData / "xdelta3-none.vcdiff");
  const size_t header_size = 23;  // magic, indicator, app header length 17, "new.bin//old.bin/"
  const size_t end = first_sections_offset(patch, header_size);
  for (size_t i = 0; i < end; ++i) {
    if (i > 5 && i < header_size) continue;  // the application header's text is not checked
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = patch;
      bad[i] ^= uint8_t(1 << bit);
      auto r = decode(old_data, bad);
      EXPECT_FALSE(r) << "byte " << i << " bit " << bit;
      if (!r) {
        EXPECT_FALSE(r.error().message.empty());
      }
    }
  }
}

TEST(VcdiffGolden, BitFlipsAnywhereNeverCrash) {
  const Bytes old_data = read_file(kData / "old.bin"), new_data = read_file(kData / "new.bin");
  for (const char* name : {"xdelta3-w16k.vcdiff", "xdelta3-none-w16k.vcdiff"}) {
    const Bytes patch = read_file(kData / name);
    for (size_t i = 0; i < patch.size(); ++i) {
      Bytes bad = patch;
      bad[i] ^= uint8_t(1 << (i % 8));
      auto r = decode(old_data, bad, {.max_output_bytes = 1 << 20});
      if (r) {
        EXPECT_EQ(*r, new_data) << name << " byte " << i;  // only app header bytes
      }
    }
  }
}

TEST(VcdiffGolden, Adler32MismatchIsCorrupt) {
  const Bytes old_data = read_file(kData / "old.bin"), patch = read_file(kData / "xdelta3-none.vcdiff");
  Bytes bad = patch;
  bad[first_sections_offset(patch, 23) - 1] ^= 1;
  expect_error(decode(old_data, bad), Errc::corrupt, "window 0: adler32 mismatch");
  Bytes wrong_old = old_data;  // the same size, one byte changed: only the checksum sees it
  wrong_old[1000] ^= 0x40;
  expect_error(decode(wrong_old, patch), Errc::corrupt, "window 0: adler32 mismatch");
}

TEST(VcdiffGolden, GarbageAfterTheLastWindowIsRejected) {
  const Bytes old_data = read_file(kData / "old.bin");
  for (const Bytes& tail : {Bytes{0}, Bytes{0x01}, str("garbage!")}) {
    Bytes bad = read_file(kData / "xdelta3-default.vcdiff");
    bad.insert(bad.end(), tail.begin(), tail.end());
    expect_error(decode(old_data, bad), Errc::corrupt, "window 1");
  }
}

// ---- RFC 3284 semantics, hand-built ----------------------------------------------------

TEST(VcdiffApply, TargetWindowCopiesFromEarlierOutput) {
  Win second{.indicator = kWinTarget | kWinAdler32, .segment_size = 5, .segment_pos = 7,
             .target_size = 6, .data = str("!"), .inst = {op_copy(0), 5, op_add(1)},
             .addr = {0}, .adler = adler32(str("world!"))};
  auto r = decode({}, craft({add_window("hello, world"), second}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, str("hello, worldworld!"));
  second.segment_pos = 8;  // [8, 13) is past the 12 bytes decoded so far
  expect_error(decode({}, craft({add_window("hello, world"), second})), Errc::corrupt,
               "VCD_TARGET segment ends at 13");
}

TEST(VcdiffApply, OverlappingTargetCopyRepeatsBytes) {
  // ADD "ab", then COPY 10 from HERE - 2: the copy reads bytes it has just written.
  Win w{.target_size = 12, .data = str("ab"), .inst = {op_add(2), op_copy(1), 10}, .addr = {2}};
  auto r = decode({}, craft({w}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, str("abababababab"));
}

TEST(VcdiffApply, EveryAddressModeAndDoubleOpcodes) {
  Bytes old_data = testing::random_bytes(300, 3);
  // SELF 100; NEAR[0] (=100) + 50; SAME[0][100] (=100); HERE 312 - 112 = 200; RUN 3 of 'x';
  // opcode 163 = ADD 1 + COPY 4 SELF 0; opcode 247 = COPY 4 SELF 296 + ADD 1.
  Win w{.indicator = kWinSource, .segment_size = 300, .target_size = 16 + 3 + 5 + 5,
        .data = str("xyz"),
        .inst = {op_copy(0, 4), op_copy(2, 4), op_copy(6, 4), op_copy(1, 4), kOpRun, 3, 163, 247},
        .addr = {100, 50, 100, 112, 0, 0x82, 0x28}};
  auto r = decode(old_data, craft({w}));
  ASSERT_TRUE(r) << r.error().message;
  Bytes want;
  for (size_t at : {100, 150, 100, 200}) want.insert(want.end(), &old_data[at], &old_data[at] + 4);
  want.insert(want.end(), 3, 'x');
  want.push_back('y');
  want.insert(want.end(), old_data.begin(), old_data.begin() + 4);
  want.insert(want.end(), old_data.begin() + 296, old_data.end());
  want.push_back('z');
  EXPECT_EQ(*r, want);
}

TEST(VcdiffApply, EmptyTargetWindow) {
  auto r = decode(str("old"), craft({Win{.indicator = kWinAdler32, .adler = 1}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());
}

TEST(VcdiffApply, RejectsCopiesOutsideTheirSegment) {
  const Bytes old_data = str("0123456789");
  Win straddle{.indicator = kWinSource, .segment_size = 10, .target_size = 4,
               .inst = {op_copy(0, 4)}, .addr = {8}};
  expect_error(decode(old_data, craft({straddle})), Errc::corrupt, "runs past the 10-byte source");
  Win ahead{.target_size = 6, .data = str("ab"), .inst = {op_add(2), op_copy(0, 4)}, .addr = {2}};
  expect_error(decode({}, craft({ahead})), Errc::corrupt, "is not before the current position 2");
  Win outside{.indicator = kWinSource, .segment_size = 10, .segment_pos = 5, .target_size = 4,
              .inst = {op_copy(0, 4)}, .addr = {0}};
  expect_error(decode(old_data, craft({outside})), Errc::corrupt,
               "lies outside the 10-byte source");
  Win here{.target_size = 4, .inst = {op_copy(1, 4)}, .addr = {1}};  // HERE - 1 from position 0
  expect_error(decode({}, craft({here})), Errc::corrupt, "is not before the current position 0");
}

TEST(VcdiffApply, RejectsInstructionsThatDoNotMatchTheWindow) {
  Win over = add_window("abc");
  over.target_size = 2;
  expect_error(decode({}, craft({over})), Errc::corrupt, "overruns the 2-byte target window");
  Win under = add_window("abc");
  under.target_size = 4;
  expect_error(decode({}, craft({under})), Errc::corrupt, "produce 3 bytes, not the declared 4");
  Win no_data = add_window("abc");
  no_data.data.pop_back();
  expect_error(decode({}, craft({no_data})), Errc::corrupt, "more bytes than the data section");
  Win spare = add_window("abc");
  spare.addr = {7};
  expect_error(decode({}, craft({spare})), Errc::corrupt, "left unused");
}

TEST(VcdiffApply, RejectsSectionLengthsPastTheEnd) {
  Bytes p = craft({add_window("abc")});
  // The window is [indicator, enclen, tgtlen, delta, 3, 2, 0, adler*4, ...]: claim 40 data bytes.
  const size_t data_len_at = 5 + 4;
  ASSERT_EQ(p[data_len_at], 3);
  p[data_len_at] = 40;
  expect_error(decode({}, p), Errc::corrupt, "do not fit");
  Bytes q = craft({add_window("abc")});
  q[5 + 1] += 1;  // the delta encoding length
  expect_error(decode({}, q), Errc::corrupt, "runs past the end");
  Bytes huge = craft({add_window("abc")});
  huge.insert(huge.begin() + 6, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  expect_error(decode({}, huge), Errc::corrupt, "window 0");
}

TEST(VcdiffApply, RejectsOutputsAboveTheLimit) {
  Win big{.target_size = 2000, .data = str("x"), .inst = {kOpRun, 0x8F, 0x50}};
  expect_error(decode({}, craft({big}), {.max_output_bytes = 1000}), Errc::too_large,
               "2000-byte output, over the 1000-byte limit");
  Win half{.target_size = 600, .data = str("x"), .inst = {kOpRun, 0x84, 0x58}};
  expect_error(decode({}, craft({half, half}), {.max_output_bytes = 1000}), Errc::too_large,
               "1200-byte output");
  EXPECT_TRUE(decode({}, craft({half}), {.max_output_bytes = 1000}));
}

TEST(VcdiffApply, RejectsBadIndicatorsAndHeaders) {
  const Win ok = add_window("abc");
  expect_error(decode({}, craft({ok}, {0x08})), Errc::corrupt, "indicator 0x08");
  Win bad_win = ok;
  bad_win.indicator |= 0x10;
  expect_error(decode({}, craft({bad_win})), Errc::corrupt, "Win_Indicator 0x14");
  Win both = ok;
  both.indicator |= kWinSource | kWinTarget;
  expect_error(decode({}, craft({both})), Errc::corrupt, "both VCD_SOURCE and VCD_TARGET");
  Win delta = ok;
  delta.delta_indicator = kDataComp;
  expect_error(decode({}, craft({delta})), Errc::corrupt, "names no compressor");
  delta.delta_indicator = 0x08;
  expect_error(decode({}, craft({delta}, {kHdrDecompress, kSecondaryLzma})), Errc::corrupt,
               "Delta_Indicator 0x08");
  expect_error(decode({}, craft({})), Errc::corrupt, "no window");
  expect_error(decode({}, str("BSDIFF40")), Errc::corrupt, "not a VCDIFF patch");
  Bytes v1 = craft({ok});
  v1[3] = 1;
  expect_error(decode({}, v1), Errc::unsupported, "VCDIFF version 1");
  expect_error(decode({}, craft({}, {kHdrAppHeader, 5, 'a'})), Errc::corrupt,
               "application header runs past");
}

TEST(VcdiffApply, RefusesUnsupportedFeaturesByName) {
  const Win ok = add_window("abc");
  expect_error(decode({}, craft({ok}, {kHdrDecompress, kSecondaryDjw})), Errc::unsupported,
               "secondary compressor 'djw' (xdelta3 -S djw) is not supported; re-encode with -S "
               "none or the default (lzma)");
  expect_error(decode({}, craft({ok}, {kHdrDecompress, kSecondaryFgk})), Errc::unsupported,
               "'fgk' (xdelta3 -S fgk)");
  expect_error(decode({}, craft({ok}, {kHdrDecompress, 7})), Errc::unsupported, "id 7");
  const Bytes table_header{kHdrCodeTable, 3, 4, 3, 0};
  expect_error(decode({}, craft({ok}, table_header)), Errc::unsupported, "VCD_CODETABLE");
  auto info = inspect_vcdiff(craft({ok}, table_header));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->custom_code_table);
  auto djw = inspect_vcdiff(craft({ok}, {kHdrDecompress, kSecondaryDjw}));
  ASSERT_TRUE(djw);
  EXPECT_EQ(djw->secondary, "djw");
}

TEST(VcdiffApply, RejectsBadLzmaSections) {
  Win w = add_window("abc");
  w.delta_indicator = kDataComp;
  const Bytes lzma_header{kHdrDecompress, kSecondaryLzma};
  w.data = str("\x03this is not an xz stream");
  expect_error(decode({}, craft({w}, lzma_header)), Errc::corrupt,
               "window 0: the LZMA-compressed data section: not valid LZMA data");
  w.data = {0x80 | 0x7F, 0x7F, 0xFD};  // declares 16383 bytes for a 3-byte window
  expect_error(decode({}, craft({w}, lzma_header)), Errc::corrupt, "declares 16383");
  w.data = {};
  expect_error(decode({}, craft({w}, lzma_header)), Errc::corrupt, "size is truncated");
}

TEST(VcdiffApply, ReportsProgressPerWindow) {
  io::VectorWriter out;
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  auto n = vcdiff_apply({}, craft({add_window("ab"), add_window("cde")}), out, {},
                        [&](uint64_t done, uint64_t total) { seen.emplace_back(done, total); });
  ASSERT_TRUE(n);
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 5}, {5, 5}}));
}

// ---- interop: the real xdelta3 encodes, we decode ----------------------------------------

class VcdiffXdelta3Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("vcdiff-interop-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `xdelta3 -e OPTIONS [-s OLD] NEW PATCH`; no source when `old_data` is null.
  Bytes encode(const std::string& options, const Bytes* old_data, const Bytes& new_data) {
    write_file(dir_ / "old", old_data ? *old_data : Bytes{});
    write_file(dir_ / "new", new_data);
    const std::string cmd = "cd '" + dir_.string() + "' && xdelta3 -e -f -q " + options +
                            (old_data ? " -s old" : "") + " new patch";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return read_file(dir_ / "patch");
  }

  void round_trip(const std::string& options, const Bytes& old_data, const Bytes& new_data,
                  bool with_source = true) {
    const Bytes patch = encode(options, with_source ? &old_data : nullptr, new_data);
    auto r = decode(with_source ? old_data : Bytes{}, patch);
    ASSERT_TRUE(r) << "xdelta3 " << options << ": " << r.error().message;
    EXPECT_TRUE(*r == new_data) << "xdelta3 " << options << ": output differs";
  }

  fs::path dir_;
};

const char* const kOptionSets[] = {"",        "-9",       "-0",           "-S none",
                                   "-S lzma", "-W 16384", "-S none -W 16384", "-9 -W 16384"};

TEST_F(VcdiffXdelta3Interop, EveryOptionSetOnAFirmwareLikePair) {
  const Bytes old_data = testing::structured_bytes(300000, 21);
  const Bytes new_data = testing::mutate(old_data, 22);
  for (const char* options : kOptionSets) round_trip(options, old_data, new_data);
}

TEST_F(VcdiffXdelta3Interop, TinyAndDegenerateInputs) {
  const Bytes one{0x5A}, random = testing::random_bytes(65536, 31);
  const Bytes other = testing::random_bytes(65536, 32);
  const Bytes small(random.begin() + 1000, random.begin() + 2000);
  Bytes grown = small;
  for (int i = 0; i < 50; ++i) grown.insert(grown.end(), small.begin(), small.end());
  const std::vector<std::pair<Bytes, Bytes>> pairs = {
      {{}, {}},   {{}, one},      {one, {}},       {one, one},        {random, random},
      {random, other}, {small, grown}, {random, small}, {grown, testing::random_bytes(100, 1)}};
  for (const char* options : {"", "-S none"})
    for (const auto& [o, n] : pairs) round_trip(options, o, n);
}

TEST_F(VcdiffXdelta3Interop, NoSourceIsAllAddRunAndTargetCopies) {
  Bytes data = testing::structured_bytes(100000, 41);
  data.insert(data.end(), 5000, 0xFF);
  for (const char* options : {"", "-S none", "-W 16384", "-9"})
    round_trip(options, {}, data, /*with_source=*/false);
}

TEST_F(VcdiffXdelta3Interop, TwentyMegabytesWithTheDefaultWindow) {
  const Bytes old_data = testing::structured_bytes(20 << 20, 51);
  const Bytes new_data = testing::mutate(old_data, 52);
  const Bytes patch = encode("", &old_data, new_data);
  auto info = inspect_vcdiff(patch);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_GE(info->windows, 3u);
  auto r = decode(old_data, patch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(*r == new_data);
}

TEST_F(VcdiffXdelta3Interop, DjwAndFgkAreRefusedByName) {
  const Bytes old_data = testing::structured_bytes(50000, 61);
  const Bytes new_data = testing::mutate(old_data, 62);
  for (const std::string name : {"djw", "fgk"}) {
    auto r = decode(old_data, encode("-S " + name, &old_data, new_data));
    expect_error(r, Errc::unsupported, "'" + name + "' (xdelta3 -S " + name + ")");
  }
}

}  // namespace
}  // namespace ota::delta
