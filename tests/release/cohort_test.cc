// Cohorts and the fleet inventory (issue 10 §1, §2, §4): stable order, exact rounding,
// strict CSV with file:line:field errors.
#include <gtest/gtest.h>

#include <set>

#include "release/cohort.h"
#include "release/inventory.h"

namespace ota::release {
namespace {

std::vector<std::string> vins(int n, int from = 0) {
  std::vector<std::string> out;
  for (int i = from; i < from + n; ++i) out.push_back("VIN" + std::to_string(100000 + i));
  return out;
}

TEST(Cohort, OrderDependsOnlyOnTheSeedAndTheVin) {
  const auto a = cohort_order(20261124, vins(1000));
  auto shuffled = vins(1000);
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(cohort_order(20261124, shuffled), a);
  EXPECT_NE(cohort_order(1, vins(1000)), a);
  EXPECT_EQ(a.size(), 1000u);
}

TEST(Cohort, ANewInventoryKeepsEveryVehicleBeforeTheSameOthers) {
  const auto before = cohort_order(7, vins(1000));
  const auto after = cohort_order(7, vins(1500, 500));  // 500 left the fleet, 1000 joined
  std::vector<std::string> kept_before, kept_after;
  const std::set<std::string> now(after.begin(), after.end()), then(before.begin(), before.end());
  for (const auto& v : before)
    if (now.count(v)) kept_before.push_back(v);
  for (const auto& v : after)
    if (then.count(v)) kept_after.push_back(v);
  EXPECT_EQ(kept_before, kept_after);
}

TEST(Cohort, RaisingAPercentageOnlyAddsVehicles) {
  const auto order = cohort_order(3, vins(777));
  uint64_t previous = 0;
  for (uint32_t p : {1000u, 5000u, 25000u, 100000u}) {
    const uint64_t k = stage_size(order.size(), p);
    EXPECT_GE(k, previous);
    previous = k;
  }
  EXPECT_EQ(previous, 777u);
}

TEST(Cohort, StageSizeRoundsUpAndNeverToZero) {
  EXPECT_EQ(stage_size(1, 1000), 1u);        // 1 % of one vehicle: that vehicle
  EXPECT_EQ(stage_size(199, 1000), 2u);      // 1.99 -> 2
  EXPECT_EQ(stage_size(200, 1000), 2u);      // exactly 2
  EXPECT_EQ(stage_size(0, 1000), 0u);
  EXPECT_EQ(stage_size(1000, 500), 5u);      // 0.5 %
  EXPECT_EQ(stage_size(1000, 100000), 1000u);
  EXPECT_EQ(stage_size(uint64_t(1) << 40, 100000), uint64_t(1) << 40);  // no overflow
}

TEST(Cohort, PercentagesParseExactly) {
  EXPECT_EQ(*parse_percent("1"), 1000u);
  EXPECT_EQ(*parse_percent("0.5"), 500u);
  EXPECT_EQ(*parse_percent("100"), 100000u);
  EXPECT_EQ(*parse_percent("12.345"), 12345u);
  for (const char* bad : {"0", "100.001", "101", "-1", "1.2345", "1.", ".5", "", "5%", "1e2"})
    EXPECT_FALSE(parse_percent(bad)) << bad;
}

TEST(Inventory, ParsesRowsWithQuotesAndTags) {
  auto inv = parse_inventory(
      "vin,ecu_serial,hardware_id,installed_version,region,tags\r\n"
      "VIN1,E1,tcu-revA,2.3.0,EU,fleet-a;pilot\r\n"
      "\"VIN,2\",E2,tcu-revB,2.2.1,NA,\n",
      "fleet.csv");
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_EQ(inv->rows.size(), 2u);
  EXPECT_EQ(inv->rows[0].tags, (std::vector<std::string>{"fleet-a", "pilot"}));
  EXPECT_EQ(inv->rows[1].vin, "VIN,2");
  EXPECT_EQ(inv->rows[1].line, 3u);
  EXPECT_TRUE(inv->rows[1].tags.empty());
}

TEST(Inventory, ErrorsNameFileLineAndField) {
  const std::string header = "vin,ecu_serial,hardware_id,installed_version,region\n";
  auto e = parse_inventory(header + "V1,E1,hw,1.0,EU\nV2,E2,hw,,EU\n", "fleet.csv");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "fleet.csv:3: installed_version: empty");
  e = parse_inventory(header + "V1,E1,hw,1.0\n", "fleet.csv");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "fleet.csv:2: 4 fields, the header has 5");
  e = parse_inventory(header + "V1,E1,hw,1.0,EU\nV1,E1,hw,1.1,EU\n", "f.csv");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "f.csv:3: vin V1 ecu_serial E1 is listed twice");
  e = parse_inventory("vin,ecu,hardware_id,installed_version,region\n", "f.csv");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("f.csv:1: the header"), std::string::npos);
  e = parse_inventory(header + "\"V1,E1,hw,1.0,EU\n", "f.csv");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "f.csv:2: a quoted field is not closed");
}

}  // namespace
}  // namespace ota::release
