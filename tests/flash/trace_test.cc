// F9 traces and run ids, F6 schedules, F10 snapshots.
#include "flash/trace.h"

#include <gtest/gtest.h>

#include "flash/schedule.h"

namespace ota::flash {
namespace {

Geometry small() {
  Device g;
  g.sectors = {{4096, 4}};
  g.write_size = 8;
  return g;
}

TEST(TracingFlash, RecordsEveryCallWithTheSectorEraseCount) {
  MemFlash mem(small());
  TracingFlash flash(mem, mem);
  ASSERT_TRUE(flash.erase(4096, 4096));
  ASSERT_TRUE(flash.program(4096, Bytes(16, 0x12)));
  EXPECT_FALSE(flash.program(4096, Bytes(8, 0x34)));  // strict: programmed twice
  uint8_t buf[4];
  ASSERT_TRUE(flash.read(4096, buf));
  ASSERT_EQ(flash.entries().size(), 4u);
  EXPECT_EQ(to_string(flash.entries()[0]), "1 erase 0x1000+4096 erases=1 ok");
  EXPECT_EQ(to_string(flash.entries()[1]), "2 program 0x1000+16 erases=1 ok");
  EXPECT_EQ(to_string(flash.entries()[2]), "3 program 0x1000+8 erases=1 failed");
  EXPECT_EQ(to_string(flash.entries()[3]), "4 read 0x1000+4 erases=1 ok");
  EXPECT_EQ(flash.tail(2), "3 program 0x1000+8 erases=1 failed\n4 read 0x1000+4 erases=1 ok\n");
}

TEST(TracingFlash, ShowsTheCutOperation) {
  MemFlash mem(small());
  CuttingFlash cutting(mem, 2, CutMode::before);
  TracingFlash flash(cutting, mem);
  ASSERT_TRUE(flash.program(0, Bytes(8, 0)));
  EXPECT_EQ(flash.program(8, Bytes(8, 0)).error().code, Errc::power_cut);
  EXPECT_EQ(flash.tail(1), "2 program 0x8+8 erases=0 failed\n");
}

TEST(RunId, RoundTripsThroughText) {
  RunId id{"update", "mcu-1m", 8, 0x00, 7, {{12, CutMode::before}, {40, CutMode::torn_program}}};
  const std::string text = to_string(id);
  EXPECT_EQ(text, "scenario=update;layout=mcu-1m;ws=8;erased=00;seed=7;cuts=12:before,40:torn-program");
  auto back = parse_run_id(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, id);
  RunId none{"rollback", "board", 1, 0xFF, 0, {}};
  EXPECT_EQ(*parse_run_id(to_string(none)), none);
}

TEST(RunId, BadTextIsRejectedWithTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"scenario=a;layout=b;ws=3;erased=ff;seed=1", "run id: ws '3' is not a write size (1, 2, 4, 8, 16 or 32)"},
      {"scenario=a;layout=b;ws=8;erased=fe;seed=1", "run id: erased 'fe' is not ff or 00"},
      {"scenario=a;layout=b;ws=8;erased=ff", "run id: field 'seed' is missing"},
      {"scenario=a;layout=b;ws=8;erased=ff;seed=1;cuts=0:before", "run id: cut '0:before' is not OPERATION:MODE with OPERATION >= 1"},
      {"scenario=a;layout=b;ws=8;erased=ff;seed=1;cuts=4:melt", "run id: unknown cut mode 'melt' (before, after, torn-program, torn-erase, unstable)"},
      {"scenario=a b;layout=b;ws=8;erased=ff;seed=1", "run id: scenario 'a b' is not a name"},
      {"scenario=a;scenario=b", "run id: field 'scenario' is given twice"},
      {"colour=red", "run id: unknown field 'colour'"},
  };
  for (const auto& [text, message] : cases) {
    auto r = parse_run_id(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message, message);
  }
}

TEST(Schedule, GeneratorsAndParsing) {
  EXPECT_EQ(single_cut(5), (std::vector<uint64_t>{5}));
  EXPECT_EQ(linear_cuts(4), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(log_cuts(20), (std::vector<uint64_t>{1, 2, 4, 8, 16}));
  const auto r = random_cuts(50, 10, 3);
  ASSERT_EQ(r.size(), 50u);
  for (uint64_t c : r) EXPECT_TRUE(c >= 1 && c <= 10);
  EXPECT_EQ(r, random_cuts(50, 10, 3));  // seeded
  EXPECT_NE(r, random_cuts(50, 10, 4));
  EXPECT_EQ(*parse_schedule("linear:3"), linear_cuts(3));
  EXPECT_EQ(*parse_schedule("log:8"), log_cuts(8));
  EXPECT_EQ(*parse_schedule("random:5:100:7"), random_cuts(5, 100, 7));
  EXPECT_EQ(*parse_schedule("single:9"), single_cut(9));
  EXPECT_EQ(*parse_schedule("3,17,40"), (std::vector<uint64_t>{3, 17, 40}));
  for (const char* bad : {"", "linear", "linear:0", "log:x", "random:1:2", "3,,4", "0", "single:1:2", "fast:3"})
    EXPECT_FALSE(parse_schedule(bad)) << bad;
}

// A multi-cut run: cuts at the listed op counts after each power-up, the flash state
// carried from one power cycle to the next, until a run finishes without a cut.
TEST(Schedule, StatePersistsAcrossCuts) {
  MemFlash mem(small());
  auto scenario = [](Flash& f) -> Result<void> {  // erase, then fill sector 0 in 8 programs
    OTA_TRY(f.erase(0, 4096));
    for (uint64_t i = 0; i < 8; ++i) OTA_TRY(f.program(i * 8, Bytes(8, uint8_t(i))));
    return {};
  };
  uint64_t cycles = 0;
  for (uint64_t at : log_cuts(8)) {  // cuts after 1, 2, 4, 8 operations
    CuttingFlash cutting(mem, at, CutMode::after);
    EXPECT_EQ(scenario(cutting).error().code, Errc::power_cut);
    ++cycles;
  }
  CuttingFlash last(mem, 0, CutMode::after);
  ASSERT_TRUE(scenario(last));
  EXPECT_EQ(cycles, 4u);
  EXPECT_EQ(mem.erase_count(0), 5u);  // one erase per power cycle
  EXPECT_EQ(mem.bytes()[7 * 8], 7);
}

TEST(Snapshot, ACopyIsIndependent) {  // F10: MemFlash is a value
  MemFlash mem(small());
  ASSERT_TRUE(mem.program(0, Bytes(8, 0x11)));
  MemFlash snapshot = mem;
  ASSERT_TRUE(mem.erase(0, 4096));
  EXPECT_EQ(snapshot.bytes()[0], 0x11);
  EXPECT_TRUE(snapshot.programmed(0));
  EXPECT_EQ(snapshot.erase_count(0), 0u);
  EXPECT_EQ(mem.erase_count(0), 1u);
}

}  // namespace
}  // namespace ota::flash
