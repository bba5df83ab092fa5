// The flash-map descriptor (BOOT-SPEC L6): round trips, a golden vector written out byte
// by byte with its own CRC-32, and a decoder that rejects every damaged or short input.
#include "image/flash_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ota::image {
namespace {

using ::testing::HasSubstr;

// CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: independent of the library's table.
uint32_t bitwise_crc32(ByteView data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

// Recomputes the CRC after a test edits a field, so the decoder's later checks are reached.
void reseal(Bytes& d) {
  const uint32_t total = load_le32(d.data() + 8);
  store_le32(d.data() + total - 4, bitwise_crc32(ByteView(d).first(total - 4)));
}

Layout example(const std::string& name) {
  std::ifstream in(std::string(OTA_EXAMPLES) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  auto l = parse_layout(s.str());
  EXPECT_TRUE(l) << name << ": " << l.error().message;
  return l ? *l : Layout{};
}

// Two sector runs (4 x 1 KiB, 2 x 4 KiB), six regions, late-fallback prevention on.
Layout tiny() {
  Layout l;
  l.device = "tiny";
  l.hardware_id = "hw-1";
  l.vendor = "ota-toolchain";
  l.geometry.devices.resize(1);
  l.geometry.devices[0].sectors = {{0x400, 4}, {0x1000, 2}};
  l.geometry.devices[0].write_size = 4;
  l.geometry.devices[0].page_size = 256;
  l.geometry.devices[0].erased = 0xff;
  l.regions = {{"bootloader", 0x0, 0x400, {}},
               {"rot", 0x400, 0x400, {}},
               {"bcr0", 0x800, 0x400, {}},
               {"bcr1", 0xc00, 0x400, {}},
               {"slot_a", 0x1000, 0x1000, 0x08001000},
               {"slot_b", 0x2000, 0x1000, 0x08002000}};
  l.boot = {3, true};
  l.counter_slots = 64;
  return l;
}

struct Builder {
  Bytes b;
  void u8(uint64_t v) { b.push_back(uint8_t(v)); }
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) u8(v >> (8 * i));
  }
  void bytes(std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
  void region(std::string_view name, uint64_t offset, uint64_t size, uint64_t exec, uint32_t flags) {
    bytes(name);
    b.resize(b.size() + 16 - name.size(), 0);
    le(offset, 8), le(size, 8), le(exec, 8), le(flags, 4), le(0, 4);
  }
};

Bytes golden() {
  Builder g;
  g.bytes("OFMP");
  g.le(1, 2);       // format_version
  g.le(32, 2);      // header_size
  g.le(384, 4);     // total_length
  g.le(2, 2);       // run_count
  g.u8(6);          // region_count
  g.u8(0x01);       // flags: prevent_late_fallback
  g.le(0x3000, 8);  // flash_size
  g.le(256, 4);     // page_size
  g.u8(4);          // write_size
  g.u8(0xff);       // erased
  g.u8(3);          // tries
  g.u8(0);          // reserved
  g.le(0x400, 8), g.le(4, 8);
  g.le(0x1000, 8), g.le(2, 8);
  g.region("bootloader", 0x0, 0x400, 0, 0);
  g.region("rot", 0x400, 0x400, 0, 0);
  g.region("bcr0", 0x800, 0x400, 0, 0);
  g.region("bcr1", 0xc00, 0x400, 0, 0);
  g.region("slot_a", 0x1000, 0x1000, 0x08001000, 1);
  g.region("slot_b", 0x2000, 0x1000, 0x08002000, 1);
  g.u8(4), g.bytes("tiny");
  g.u8(4), g.bytes("hw-1");
  g.u8(13), g.bytes("ota-toolchain");
  g.le(64, 4);  // counter_slots
  g.le(bitwise_crc32(g.b), 4);
  return g.b;
}

// F1, version 2: an internal flash (4 x 1 KiB, 4-byte words, erased 0x00) and an external
// one (2 x 4 KiB, bytes, 256-byte pages, erased 0xff); the slots on the external flash.
Layout tiny_two_flashes() {
  Layout l;
  l.device = "tiny2";
  l.hardware_id = "hw-1";
  l.vendor = "ota-toolchain";
  flash::Device internal, external;
  internal.name = "int";
  internal.sectors = {{0x400, 4}};
  internal.write_size = 4;
  internal.erased = 0x00;
  external.name = "spi";
  external.sectors = {{0x1000, 2}};
  external.page_size = 256;
  l.geometry.devices = {internal, external};
  l.regions = {{"bootloader", 0x0, 0x400, {}},  {"rot", 0x400, 0x400, {}},     {"bcr0", 0x800, 0x400, {}},
               {"bcr1", 0xc00, 0x400, {}},      {"slot_a", 0x1000, 0x1000, {}}, {"slot_b", 0x2000, 0x1000, {}}};
  l.boot = {3, false};
  l.counter_slots = 64;
  return l;
}

Bytes golden_two_flashes() {
  Builder g;
  g.bytes("OFMP");
  g.le(2, 2);       // format_version 2: a device table follows the header
  g.le(32, 2);      // header_size
  g.le(449, 4);     // total_length
  g.le(2, 2);       // run_count, all devices
  g.u8(6);          // region_count
  g.u8(0);          // flags
  g.le(0x3000, 8);  // flash_size, all devices
  g.le(0, 4), g.u8(0), g.u8(0);  // page_size, write_size, erased: in the device table
  g.u8(3);          // tries
  g.u8(2);          // device_count
  g.bytes("int"), g.b.resize(g.b.size() + 13, 0);
  g.le(0x1000, 8), g.le(0, 4), g.u8(4), g.u8(0x00), g.le(1, 2);  // size, page, write, erased, runs
  g.bytes("spi"), g.b.resize(g.b.size() + 13, 0);
  g.le(0x2000, 8), g.le(256, 4), g.u8(1), g.u8(0xff), g.le(1, 2);
  g.le(0x400, 8), g.le(4, 8);   // int's run
  g.le(0x1000, 8), g.le(2, 8);  // spi's run
  g.region("bootloader", 0x0, 0x400, 0, 0);
  g.region("rot", 0x400, 0x400, 0, 0);
  g.region("bcr0", 0x800, 0x400, 0, 0);
  g.region("bcr1", 0xc00, 0x400, 0, 0);
  g.region("slot_a", 0x1000, 0x1000, 0, 0);  // offsets in the one address space
  g.region("slot_b", 0x2000, 0x1000, 0, 0);
  g.u8(5), g.bytes("tiny2");
  g.u8(4), g.bytes("hw-1");
  g.u8(13), g.bytes("ota-toolchain");
  g.le(64, 4);
  g.le(bitwise_crc32(g.b), 4);
  return g.b;
}

std::string rejected(ByteView bytes) {
  auto decoded = decode_flash_map(bytes);
  if (decoded) {
    ADD_FAILURE() << "accepted";
    return "";
  }
  EXPECT_EQ(decoded.error().code, Errc::corrupt);
  return decoded.error().message;
}

TEST(FlashMap, GoldenVectorForAHandMadeLayout) {
  const Bytes expected = golden();
  ASSERT_EQ(expected.size(), 384u);
  EXPECT_EQ(load_le32(expected.data() + 380), 0xfc99ef5bu);  // docs/image-format.md shows it
  EXPECT_EQ(flash_map_size(tiny()), 384u);
  EXPECT_EQ(encode_flash_map(tiny()), expected);
  auto decoded = decode_flash_map(expected);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, tiny());
}

TEST(FlashMap, GoldenVectorForTwoFlashes) {
  const Bytes expected = golden_two_flashes();
  ASSERT_EQ(expected.size(), 449u);
  EXPECT_EQ(flash_map_size(tiny_two_flashes()), 449u);
  EXPECT_EQ(encode_flash_map(tiny_two_flashes()), expected);
  auto decoded = decode_flash_map(expected);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, tiny_two_flashes());
}

TEST(FlashMap, RejectsEveryBitFlipAndTruncationOfVersion2) {
  const Bytes good = golden_two_flashes();
  for (size_t i = 0; i < good.size(); ++i) {
    Bytes bad = good;
    bad[i] ^= 0x10;
    EXPECT_FALSE(decode_flash_map(bad)) << "byte " << i;
    const Bytes cut(good.begin(), good.begin() + long(i));
    EXPECT_FALSE(decode_flash_map(cut)) << i << " bytes";
  }
}

TEST(FlashMap, RejectsInconsistentDeviceTablesBehindAGoodCrc) {
  Bytes d = golden_two_flashes();
  d[31] = 0;  // no devices
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("device count 0 is not 1 to 8"));
  d = golden_two_flashes();
  d[28] = 4;  // a header write_size in version 2
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("the header's are not 0"));
  d = golden_two_flashes();
  d[32 + 30] = 2;  // int lists 2 runs: 3 in all, the header says 2
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("the devices list 3 sector runs but the header says 2"));
  d = golden_two_flashes();
  store_le64(d.data() + 32 + 16, 0x2000);  // int's size disagrees with its run
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("sector runs add up to 0x1000 bytes but device entry 0 says 0x2000"));
  d = golden_two_flashes();
  d[32 + 3] = 'x';  // "intx": still NUL-padded, a valid name
  reseal(d);
  auto renamed = decode_flash_map(d);
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->geometry.devices[0].name, "intx");
  d[32 + 15] = 'y';  // a byte after the NUL
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("device entry 0: the name is not NUL-padded"));
}

TEST(FlashMap, RoundTripsEachExample) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(OTA_EXAMPLES)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".layout.yaml")) continue;
    ++count;
    const Layout l = example(name);
    const Bytes bytes = encode_flash_map(l);
    EXPECT_EQ(bytes.size(), flash_map_size(l)) << name;
    auto decoded = decode_flash_map(bytes);
    ASSERT_TRUE(decoded) << name << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, l) << name;
  }
  EXPECT_GE(count, 3);
}

TEST(FlashMap, IgnoresTheRestOfTheBootloaderRegion) {
  Bytes region = encode_flash_map(tiny());
  region.resize(0x400, 0xff);  // erased flash after the descriptor
  auto decoded = decode_flash_map(region);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, tiny());
}

TEST(FlashMap, RejectsEverySingleByteChange) {
  const Bytes good = golden();
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes bad = good;
      bad[i] ^= mask;
      auto decoded = decode_flash_map(bad);
      EXPECT_FALSE(decoded) << "byte " << i << " ^ " << int(mask);
      if (!decoded) {
        EXPECT_EQ(decoded.error().code, Errc::corrupt) << "byte " << i;
      }
    }
}

TEST(FlashMap, RejectsEveryTruncationWithoutReadingPastTheEnd) {
  const Bytes good = golden();
  for (size_t n = 0; n < good.size(); ++n) {
    const Bytes cut(good.begin(), good.begin() + long(n));  // exact-size buffer: ASan sees any overread
    EXPECT_FALSE(decode_flash_map(cut)) << n << " bytes";
  }
}

TEST(FlashMap, RejectsBadHeaderFields) {
  Bytes d = golden();
  d[0] = 'X';
  EXPECT_THAT(rejected(d), HasSubstr("is not \"OFMP\""));
  d = golden();
  store_le32(d.data() + 4, 3 | 32 << 16);
  EXPECT_THAT(rejected(d), HasSubstr("format version 3 is not supported; this build reads 1 and 2"));
  d = golden();
  d[6] = 40;
  EXPECT_THAT(rejected(d), HasSubstr("header_size 40 is not 32"));
  d = golden();
  store_le32(d.data() + 8, 0xffffffff);
  EXPECT_THAT(rejected(d), HasSubstr("total_length 0xffffffff runs past the 0x180 bytes given"));
  d = golden();
  store_le32(d.data() + 8, 40);
  EXPECT_THAT(rejected(d), HasSubstr("total_length 0x28 is shorter than any descriptor"));
  d = golden();
  d[100] ^= 1;
  EXPECT_THAT(rejected(d), HasSubstr("does not match the stored 0xfc99ef5b"));
  EXPECT_THAT(rejected(Bytes(10, 0)), HasSubstr("10 bytes, shorter than the 32-byte header"));
}

TEST(FlashMap, RejectsReservedFieldsAndUnknownFlagsBehindAGoodCrc) {
  const struct {
    size_t at;
    uint8_t mask;
    const char* why;
  } cases[] = {
      {15, 0x02, "unknown header flags 0x3"},
      {31, 0x01, "reserved header byte 31 is 0x1"},
      {64 + 40, 0x02, "region entry 0: unknown flags 0x2"},
      {64 + 44, 0x01, "region entry 0: unknown flags 0x0 or nonzero reserved field"},
      {64 + 48 + 10, 0x01, "region entry 1: the name is not NUL-padded"},
      {64 + 32, 0x01, "region entry 0: exec_addr 0x1 without flag bit0"},
  };
  for (const auto& c : cases) {
    Bytes d = golden();
    d[c.at] ^= c.mask;
    reseal(d);
    EXPECT_THAT(rejected(d), HasSubstr(c.why)) << c.at;
  }
  // A well-formed entry the layout rules refuse: exec_addr (0) on the bootloader.
  Bytes d = golden();
  d[64 + 40] = 1;
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("invalid layout: region 'bootloader' has exec_addr 0x0"));
}

TEST(FlashMap, RejectsCountsAndLengthsThatDisagree) {
  Bytes d = golden();
  d[14] = 7;  // one region more than the descriptor holds
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("do not fit in total_length"));
  d = golden();
  d[14] = 5;  // one fewer: the strings are read from the last region entry
  reseal(d);
  rejected(d);
  d = golden();
  d[12] = 0;
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("no sector runs or no regions"));
  d = golden();
  d[352] = 200;  // the name's length byte runs past the descriptor
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("device strings and counter_slots do not fit"));
  d = golden();
  d.insert(d.begin() + 380, {0, 0});  // two stray bytes before the CRC
  store_le32(d.data() + 8, 386);
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("2 unused bytes before the CRC"));
  d = golden();
  store_le64(d.data() + 16, 0x4000);
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("sector runs add up to 0x3000 bytes but the header says 0x4000"));
  d = golden();
  store_le64(d.data() + 40, uint64_t{1} << 62);  // run 0 count: 2^72 bytes
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("more than 2^64 bytes"));
}

TEST(FlashMap, RejectsAnInvalidLayoutBehindAGoodCrc) {
  Bytes d = golden();
  store_le64(d.data() + 64 + 5 * 48 + 32, 0x08001000);  // slot_b takes slot_a's exec_addr
  reseal(d);
  const std::string message = rejected(d);
  EXPECT_THAT(message, HasSubstr("flash map describes an invalid layout"));
  EXPECT_THAT(message, HasSubstr("slot_a and slot_b both have exec_addr 0x8001000"));
  d = golden();
  store_le64(d.data() + 64 + 5 * 48 + 24, 0x800);  // slot_b ends inside a sector
  reseal(d);
  EXPECT_THAT(rejected(d), HasSubstr("region 'slot_b' (offset 0x2000, size 0x800) ends at 0x2800"));
}

}  // namespace
}  // namespace ota::image
