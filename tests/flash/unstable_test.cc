// F5 `unstable`: torn cells read back differently from one read to the next, only in
// the bits a cut left between two values, until an erase settles them.
#include <gtest/gtest.h>

#include <set>

#include "flash/cutting_flash.h"

namespace ota::flash {
namespace {

Geometry small(uint8_t erased) {
  Device g;
  g.sectors = {{4096, 2}};
  g.write_size = 8;
  g.erased = erased;
  return g;
}

TEST(UnstableCut, TornProgramReadsVaryWithinTheDifferingBits) {
  for (uint8_t erased : {uint8_t(0xFF), uint8_t(0x00)}) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      MemFlash mem(small(erased));
      const Bytes data(64, static_cast<uint8_t>(erased ^ 0xFF));  // every bit programmed
      CuttingFlash cutting(mem, 1, CutMode::unstable, seed);
      ASSERT_EQ(cutting.program(0, data).error().code, Errc::power_cut);
      // The torn granule: the one the cut left unstable.
      uint64_t torn = 64;
      for (uint64_t g = 0; g < 64; g += 8)
        if (mem.unstable(g)) torn = g;
      ASSERT_LT(torn, 64u) << "seed " << seed;
      std::set<uint64_t> seen;
      for (int r = 0; r < 64; ++r) {
        uint8_t buf[8];
        ASSERT_TRUE(mem.read(torn, buf));
        uint64_t v = 0;
        for (uint8_t b : buf) v = v << 8 | b;
        seen.insert(v);
      }
      EXPECT_GT(seen.size(), 1u) << "reads of a torn granule never varied (seed " << seed << ")";
      // Granules before it are complete and stable.
      for (uint64_t g = 0; g < torn; g += 8) EXPECT_FALSE(mem.unstable(g));
      uint8_t first[8];
      ASSERT_TRUE(mem.read(0, first));
      if (torn > 0) {
        EXPECT_EQ(first[0], data[0]);
      }
      // An erase settles the cells.
      ASSERT_TRUE(mem.erase(0, 4096));
      EXPECT_FALSE(mem.unstable(torn));
      uint8_t after[8];
      ASSERT_TRUE(mem.read(torn, after));
      for (uint8_t b : after) EXPECT_EQ(b, erased);
    }
  }
}

TEST(UnstableCut, TornEraseReadsBetweenOldAndErased) {
  MemFlash mem(small(0xFF));
  ASSERT_TRUE(mem.program(0, Bytes(4096, 0x00)));
  CuttingFlash cutting(mem, 1, CutMode::unstable, 3);
  ASSERT_EQ(cutting.erase(0, 4096).error().code, Errc::power_cut);
  std::set<uint8_t> values;
  for (int r = 0; r < 16; ++r) {
    uint8_t b;
    ASSERT_TRUE(mem.read(100, std::span<uint8_t>(&b, 1)));
    values.insert(b);
  }
  EXPECT_GT(values.size(), 1u);
  EXPECT_EQ(mem.erase_count(0), 1u);  // the sector was cycled
}

TEST(UnstableCut, ACompletedProgramSettlesTheCellsInNorMode) {
  MemFlash mem(small(0xFF), ProgramRule::nor);
  CuttingFlash cutting(mem, 1, CutMode::unstable, 5);
  ASSERT_EQ(cutting.program(0, Bytes(8, 0x0F)).error().code, Errc::power_cut);
  ASSERT_TRUE(mem.unstable(0));
  ASSERT_TRUE(mem.program(0, Bytes(8, 0x00)));  // nor: clearing the remaining bits
  EXPECT_FALSE(mem.unstable(0));
  uint8_t buf[8];
  ASSERT_TRUE(mem.read(0, buf));
  for (uint8_t b : buf) EXPECT_EQ(b, 0x00);
}

}  // namespace
}  // namespace ota::flash
