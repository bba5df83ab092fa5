#include "flash/mem_flash.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace ota::flash {
namespace {

struct Config {
  uint8_t erased;
  uint32_t write_size;
};
void PrintTo(const Config& c, std::ostream* os) { *os << "erased " << int(c.erased) << " write " << c.write_size; }

std::string config_name(const testing::TestParamInfo<Config>& info) {
  return std::string(info.param.erased == 0xFF ? "Erased0xFF" : "Erased0x00") + "Write" +
         std::to_string(info.param.write_size);
}

// Every rule runs with both erased values (F2) and write sizes 1, 8 and 32.
class MemFlashRules : public testing::TestWithParam<Config> {
 protected:
  // 4K x2, then 8K: mixed sizes so a multi-sector erase crosses a run.
  Geometry geometry(uint32_t page_size = 0) const {
    Device g;
    g.sectors = {{4096, 2}, {8192, 1}};
    g.write_size = GetParam().write_size;
    g.page_size = page_size;
    g.erased = GetParam().erased;
    return g;
  }
  uint8_t erased() const { return GetParam().erased; }
  size_t ws() const { return GetParam().write_size; }
  // `n` bytes whose set bits are programmed bits: value ^ erased on the cells.
  Bytes programmed_pattern(size_t n, uint8_t bits) const { return Bytes(n, static_cast<uint8_t>(erased() ^ bits)); }
};

TEST_P(MemFlashRules, StartsFullyErasedAndUnprogrammed) {
  MemFlash f(geometry());
  ASSERT_EQ(f.bytes().size(), 16384u);
  for (uint8_t b : f.bytes()) ASSERT_EQ(b, erased());
  EXPECT_FALSE(f.programmed(0));
  EXPECT_EQ(f.programs(), 0u);
  EXPECT_EQ(f.erases(), 0u);
  EXPECT_EQ(f.rule(), ProgramRule::strict);
}

TEST_P(MemFlashRules, ProgramWritesAlignedGranulesAndReadsBack) {
  MemFlash f(geometry());
  const Bytes data = programmed_pattern(2 * ws(), 0x5A);
  ASSERT_TRUE(f.program(4 * ws(), data));
  Bytes back(data.size());
  ASSERT_TRUE(f.read(4 * ws(), back));
  EXPECT_EQ(back, data);
  EXPECT_TRUE(f.programmed(4 * ws()));
  EXPECT_TRUE(f.programmed(5 * ws() + ws() - 1));
  EXPECT_FALSE(f.programmed(6 * ws()));
  EXPECT_EQ(f.programs(), 1u);
}

TEST_P(MemFlashRules, ProgramRefusesMisalignedOffsetOrLength) {
  MemFlash f(geometry());
  if (ws() == 1) {  // every offset and length is aligned
    EXPECT_TRUE(f.program(3, programmed_pattern(5, 0x0F)));
    return;
  }
  const Bytes granule = programmed_pattern(ws(), 0x0F);
  EXPECT_EQ(f.program(1, granule).error().code, Errc::invalid_argument);
  EXPECT_EQ(f.program(ws() / 2, granule).error().code, Errc::invalid_argument);
  EXPECT_EQ(f.program(0, programmed_pattern(ws() - 1, 0x0F)).error().code, Errc::invalid_argument);
  EXPECT_EQ(f.program(0, programmed_pattern(ws() + 1, 0x0F)).error().code, Errc::invalid_argument);
  auto e = f.program(1, granule);
  EXPECT_NE(e.error().message.find("write_size " + std::to_string(ws())), std::string::npos)
      << e.error().message;
  for (uint8_t b : f.bytes()) ASSERT_EQ(b, erased());
  EXPECT_EQ(f.programs(), 0u);
}

TEST_P(MemFlashRules, ProgramRefusesEmptyAndOutOfRange) {
  MemFlash f(geometry());
  EXPECT_EQ(f.program(0, {}).error().code, Errc::invalid_argument);
  const Bytes granule = programmed_pattern(ws(), 0x01);
  EXPECT_EQ(f.program(16384, granule).error().code, Errc::invalid_argument);
  EXPECT_EQ(f.program(16384 - ws(), programmed_pattern(2 * ws(), 1)).error().code, Errc::invalid_argument);
  EXPECT_TRUE(f.program(16384 - ws(), granule));  // the last granule is fine
  Bytes out(2);
  EXPECT_EQ(f.read(16383, out).error().code, Errc::invalid_argument);
}

TEST_P(MemFlashRules, ProgramStaysInsideOnePage) {
  MemFlash f(geometry(/*page_size=*/64));
  // The last granule of page 0 plus the first of page 1.
  auto crossing = f.program(64 - ws(), programmed_pattern(2 * ws(), 0x11));
  ASSERT_FALSE(crossing);
  EXPECT_EQ(crossing.error().code, Errc::invalid_argument);
  EXPECT_NE(crossing.error().message.find("page boundary 0x40"), std::string::npos) << crossing.error().message;
  EXPECT_TRUE(f.program(64, programmed_pattern(64, 0x11)));  // exactly one page
  EXPECT_TRUE(program_pages(f, 192 - ws(), programmed_pattern(2 * ws(), 0x22)));  // split: two ops
  EXPECT_EQ(f.programs(), 3u);
}

TEST_P(MemFlashRules, StrictModeRefusesSecondProgramOfAGranule) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x01)));
  // Only moving more bits away from erased: still a second program.
  auto again = f.program(0, programmed_pattern(ws(), 0x03));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::rejected);
  EXPECT_NE(again.error().message.find("already programmed"), std::string::npos);
  // Even rewriting the same bytes, or bytes equal to erased.
  EXPECT_EQ(f.program(0, programmed_pattern(ws(), 0x01)).error().code, Errc::rejected);
  EXPECT_EQ(f.programs(), 1u);
  // The neighbour granule is untouched and still programmable.
  EXPECT_TRUE(f.program(ws(), programmed_pattern(ws(), 0x03)));
}

TEST_P(MemFlashRules, StrictModeCountsAnErasedValueProgramAsAProgram) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(0, Bytes(ws(), erased())));
  EXPECT_TRUE(f.programmed(0));
  EXPECT_EQ(f.program(0, programmed_pattern(ws(), 0x80)).error().code, Errc::rejected);
}

TEST_P(MemFlashRules, StrictModeRejectionChangesNothing) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(ws(), programmed_pattern(ws(), 0x01)));
  const Bytes before = f.bytes();
  // Granule 0 is fresh but granule 1 is not: the whole program is refused.
  EXPECT_EQ(f.program(0, programmed_pattern(2 * ws(), 0xF0)).error().code, Errc::rejected);
  EXPECT_EQ(f.bytes(), before);
  EXPECT_FALSE(f.programmed(0));
}

TEST_P(MemFlashRules, EraseMakesGranulesProgrammableAgain) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0xAA)));
  ASSERT_TRUE(f.erase(0, 4096));
  EXPECT_EQ(f.bytes()[0], erased());
  EXPECT_FALSE(f.programmed(0));
  EXPECT_TRUE(f.program(0, programmed_pattern(ws(), 0x55)));
  EXPECT_EQ(f.bytes()[0], static_cast<uint8_t>(erased() ^ 0x55));
}

TEST_P(MemFlashRules, NorModeAccumulatesProgrammedBits) {
  MemFlash f(geometry(), ProgramRule::nor);
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x01)));
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x03)));  // keeps 0x01, adds 0x02
  EXPECT_EQ(f.bytes()[0], static_cast<uint8_t>(erased() ^ 0x03));
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x03)));  // same value again: no change
  EXPECT_EQ(f.programs(), 3u);
  if (erased() == 0xFF) {
    EXPECT_EQ(f.bytes()[0], 0xFC);  // new = old & data
  } else {
    EXPECT_EQ(f.bytes()[0], 0x03);  // new = old | data
  }
}

TEST_P(MemFlashRules, NorModeRefusesAChangeBackTowardErased) {
  MemFlash f(geometry(), ProgramRule::nor);
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x03)));
  // Requests 0x01 programmed: bit 0x02 would return to erased (0->1 on 0xff flash).
  auto back = f.program(0, programmed_pattern(ws(), 0x01));
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, Errc::rejected);
  EXPECT_NE(back.error().message.find("needs erase"), std::string::npos) << back.error().message;
  EXPECT_EQ(f.bytes()[0], static_cast<uint8_t>(erased() ^ 0x03));
  // Writing the erased value over programmed bits is the same violation.
  EXPECT_EQ(f.program(0, Bytes(ws(), erased())).error().code, Errc::rejected);
  ASSERT_TRUE(f.erase(0, 4096));
  EXPECT_TRUE(f.program(0, programmed_pattern(ws(), 0x01)));
}

TEST_P(MemFlashRules, EraseRefusesPartialSectors) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x0F)));
  const Bytes before = f.bytes();
  EXPECT_EQ(f.erase(0, 2048).error().code, Errc::invalid_argument);         // ends inside
  EXPECT_EQ(f.erase(2048, 2048).error().code, Errc::invalid_argument);      // starts inside
  EXPECT_EQ(f.erase(8192, 4096).error().code, Errc::invalid_argument);      // half of the 8K
  EXPECT_EQ(f.erase(0, 0).error().code, Errc::invalid_argument);            // empty
  EXPECT_EQ(f.erase(8192, 16384).error().code, Errc::invalid_argument);     // past the end
  auto e = f.erase(0, 2048);
  EXPECT_NE(e.error().message.find("not whole sectors"), std::string::npos) << e.error().message;
  EXPECT_EQ(f.bytes(), before);
  EXPECT_EQ(f.erases(), 0u);
  EXPECT_EQ(f.erase_count(0), 0u);
}

TEST_P(MemFlashRules, EraseCountsEachSectorItCovers) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(4096, programmed_pattern(ws(), 0x0F)));
  ASSERT_TRUE(f.program(8192, programmed_pattern(ws(), 0x0F)));
  ASSERT_TRUE(f.erase(4096, 4096 + 8192));  // sectors 1 and 2, one operation
  EXPECT_EQ(f.erases(), 1u);
  EXPECT_EQ(f.erase_count(0), 0u);
  EXPECT_EQ(f.erase_count(1), 1u);
  EXPECT_EQ(f.erase_count(2), 1u);
  for (uint8_t b : f.bytes()) ASSERT_EQ(b, erased());
  ASSERT_TRUE(f.erase(0, 16384));
  EXPECT_EQ(f.erase_count(0), 1u);
  EXPECT_EQ(f.erase_count(2), 2u);
  EXPECT_EQ(f.erases(), 2u);
}

TEST_P(MemFlashRules, PokeBypassesRulesAndCountsNoOperation) {
  MemFlash f(geometry());
  ASSERT_TRUE(f.program(0, programmed_pattern(ws(), 0x01)));
  // Unaligned, over a programmed granule, moving bits back toward erased: all allowed.
  f.poke(1, Bytes{static_cast<uint8_t>(erased() ^ 0x80)});
  f.poke(0, Bytes{erased()});
  EXPECT_EQ(f.bytes()[0], erased());
  EXPECT_EQ(f.programs(), 1u);
  EXPECT_EQ(f.erases(), 0u);
  // A poke never un-marks a granule; it marks one whose content now differs from erased.
  EXPECT_TRUE(f.programmed(0));
  f.poke(4 * ws(), Bytes{static_cast<uint8_t>(erased() ^ 0x10)});
  EXPECT_TRUE(f.programmed(4 * ws()));
  EXPECT_EQ(f.program(4 * ws(), programmed_pattern(ws(), 0x10)).error().code, Errc::rejected);
  f.poke(8 * ws(), Bytes(ws(), erased()));  // erased content: stays programmable
  EXPECT_FALSE(f.programmed(8 * ws()));
  f.mark_programmed(8 * ws(), 1);
  EXPECT_TRUE(f.programmed(8 * ws()));
}

TEST_P(MemFlashRules, LoadsAnImageAndMarksItsNonErasedGranules) {
  Bytes image(16384, erased());
  image[3 * ws()] = static_cast<uint8_t>(erased() ^ 0x42);
  MemFlash f(geometry(), image);
  EXPECT_EQ(f.bytes(), image);
  EXPECT_TRUE(f.programmed(3 * ws()));
  EXPECT_FALSE(f.programmed(2 * ws()));
  EXPECT_EQ(f.program(3 * ws(), programmed_pattern(ws(), 0x42)).error().code, Errc::rejected);
  EXPECT_TRUE(f.program(2 * ws(), programmed_pattern(ws(), 0x42)));

  auto wrong = MemFlash::from_image(geometry(), Bytes(100, erased()));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::invalid_argument);
  EXPECT_TRUE(MemFlash::from_image(geometry(), image));
}

INSTANTIATE_TEST_SUITE_P(AllConfigs, MemFlashRules,
                         testing::Values(Config{0xFF, 1}, Config{0xFF, 8}, Config{0xFF, 32},
                                         Config{0x00, 1}, Config{0x00, 8}, Config{0x00, 32}),
                         config_name);

TEST(MemFlash, ErrorsNameTheOffsetInHex) {
  Device g;
  g.sectors = {{4096, 4}};
  g.write_size = 8;
  MemFlash f(g);
  auto e = f.program(0x1004, Bytes(8, 0));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message.rfind("program at 0x1004 (8 bytes)", 0), 0u) << e.error().message;
  auto erase = f.erase(0x1800, 0x800);
  EXPECT_EQ(erase.error().message.rfind("erase at 0x1800 (2048 bytes)", 0), 0u) << erase.error().message;
}

// F1: internal flash (8-byte granules, erased 0x00) then an SPI-NOR (byte granules, 256-byte
// pages, erased 0xff) in one address space: each keeps its own rules.
Geometry two_devices() {
  Device internal, spi;
  internal.name = "int";
  internal.sectors = {{4096, 2}};
  internal.write_size = 8;
  internal.erased = 0x00;
  spi.name = "spi";
  spi.sectors = {{4096, 2}};
  spi.page_size = 256;
  Geometry g;
  g.devices = {internal, spi};
  return g;
}

TEST(MemFlashTwoDevices, EachDeviceStartsAtItsOwnErasedValue) {
  MemFlash f(two_devices());
  ASSERT_EQ(f.bytes().size(), 0x4000u);
  EXPECT_EQ(f.bytes()[0x1fff], 0x00);
  EXPECT_EQ(f.bytes()[0x2000], 0xff);
  EXPECT_EQ(erased_image(two_devices()), f.bytes());
  EXPECT_FALSE(f.programmed(0x0));
  EXPECT_FALSE(f.programmed(0x3fff));
}

TEST(MemFlashTwoDevices, ProgramsFollowTheGranuleAndPageOfTheirDevice) {
  MemFlash f(two_devices());
  EXPECT_FALSE(f.program(0x1ffc, Bytes(4, 0x55)));    // internal: 8-byte granules
  EXPECT_TRUE(f.program(0x2003, Bytes(1, 0x12)));     // SPI: one byte is a granule
  EXPECT_FALSE(f.program(0x20ff, Bytes(2, 0x00)));    // crosses the SPI's 256-byte page
  EXPECT_FALSE(f.program(0x1ff8, Bytes(16, 0x11)));   // from one device into the next
  EXPECT_TRUE(f.program(0x1ff8, Bytes(8, 0x11)));
  EXPECT_TRUE(f.programmed(0x1fff));
  EXPECT_FALSE(f.programmed(0x2000));  // the neighbour granule on the other device
  EXPECT_TRUE(f.programmed(0x2003));
  EXPECT_FALSE(f.program(0x2003, Bytes(1, 0x00)));  // strict: once per erase
  EXPECT_EQ(f.bytes()[0x2003], 0x12);
  // An erase is on one device and resets to that device's value.
  EXPECT_FALSE(f.erase(0x1000, 0x2000));
  ASSERT_TRUE(f.erase(0x2000, 0x1000));
  EXPECT_EQ(f.bytes()[0x2003], 0xff);
  EXPECT_FALSE(f.programmed(0x2003));
  EXPECT_EQ(f.erase_count(2), 1u);  // sector indexes run on across devices
  EXPECT_EQ(f.bytes()[0x1fff], 0x11);
}

TEST(MemFlashTwoDevices, LoadedContentIsMarkedPerDevice) {
  Bytes image = erased_image(two_devices());
  image[0x0007] = 0x01;  // internal granule 0
  image[0x2100] = 0x7f;  // SPI byte 0x100
  MemFlash f(two_devices(), image);
  EXPECT_TRUE(f.programmed(0x0));
  EXPECT_FALSE(f.programmed(0x8));
  EXPECT_TRUE(f.programmed(0x2100));
  EXPECT_FALSE(f.programmed(0x20ff));
  EXPECT_FALSE(f.programmed(0x2101));
}

TEST(MemFlashTwoDevices, UnstableCellsUseTheirDevicesGranule) {
  MemFlash f(two_devices());
  f.make_unstable(0x1ff8, Bytes(8, 0x00), Bytes(8, 0xff), 7);  // internal: 8-byte cell
  f.make_unstable(0x2000, Bytes(1, 0xff), Bytes(1, 0x00), 9);  // SPI: 1-byte cell
  EXPECT_TRUE(f.unstable(0x1fff));
  EXPECT_TRUE(f.unstable(0x2000));
  EXPECT_FALSE(f.unstable(0x2001));
  // Reads across the boundary vary only in the unstable cells.
  bool varied = false;
  Bytes first(16);
  ASSERT_TRUE(f.read(0x1ff8, first));
  for (int i = 0; i < 64; ++i) {
    Bytes again(16);
    ASSERT_TRUE(f.read(0x1ff8, again));
    for (size_t k = 9; k < 16; ++k) EXPECT_EQ(again[k], 0xff) << k;  // SPI bytes 1..7: erased, stable
    varied = varied || again != first;
  }
  EXPECT_TRUE(varied);
  ASSERT_TRUE(f.erase(0x2000, 0x1000));
  EXPECT_FALSE(f.unstable(0x2000));
  EXPECT_TRUE(f.unstable(0x1ff8));
}

}  // namespace
}  // namespace ota::flash
