// The plan (issue 10 §2, §4): matrix counts and decisions, segments, stage sizes, pooling,
// unknown hardware ids, determinism.
#include <gtest/gtest.h>

#include "release/plan.h"

namespace ota::release {
namespace {

ReleaseConfig config() {
  ReleaseConfig c;
  c.id = "tcu-2.4.0";
  c.version = "2.4.0";
  c.images = {{"tcu-revA", "revA.bin", {{"2.3.0", "a230.bin"}, {"2.2.1", "a221.bin"}}, 1},
              {"tcu-revB", "revB.bin", {{"2.3.0", "b230.bin"}}, 2}};
  c.segments = {"region", "hardware_id"};
  c.seed = 42;
  c.stages = {{"canary", 1000, 200}, {"early", 5000, 0}, {"full", 100000, 0}};
  return c;
}

// n vehicles, one ECU each, spread over regions and versions by index.
Inventory fleet(int n) {
  Inventory inv;
  const char* regions[] = {"EU", "NA", "APAC", "SA"};
  for (int i = 0; i < n; ++i) {
    InventoryRow r;
    r.vin = "VIN" + std::to_string(1000000 + i);
    r.ecu_serial = "E" + std::to_string(i);
    r.hardware_id = i % 3 == 2 ? "tcu-revB" : "tcu-revA";
    r.installed_version = i % 1000 == 0 ? "1.0.0" : i % 200 == 1 ? "2.4.0" : i % 2 ? "2.3.0" : "2.2.1";
    r.region = regions[i % 4];
    r.line = uint32_t(i + 2);
    inv.rows.push_back(r);
  }
  return inv;
}

TEST(Plan, MatrixCountsAndDecisions) {
  auto plan = make_plan(config(), fleet(10000), "fleet.csv");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->vehicles, 10000u);
  uint64_t total = 0;
  for (const auto& e : plan->matrix) {
    total += e.ecus;
    if (e.from_version == "2.4.0") {
      EXPECT_FALSE(e.delta) << e.reason;
    }
    if (e.from_version == "1.0.0") {
      EXPECT_FALSE(e.delta);  // no source image listed
    }
    if (e.hardware_id == "tcu-revA" && e.from_version == "2.3.0") {
      EXPECT_TRUE(e.delta);
    }
    if (e.hardware_id == "tcu-revB" && e.from_version == "2.2.1") {
      EXPECT_FALSE(e.delta);  // revB lists no 2.2.1
    }
  }
  EXPECT_EQ(total, 10000u);
  for (size_t i = 1; i < plan->matrix.size(); ++i)
    EXPECT_LT(std::tie(plan->matrix[i - 1].hardware_id, plan->matrix[i - 1].from_version),
              std::tie(plan->matrix[i].hardware_id, plan->matrix[i].from_version));
}

TEST(Plan, BelowMinShareGetsTheFullImage) {
  ReleaseConfig c = config();
  c.min_share = 0.2;  // 1.0.0 is 0.1 % of the fleet: full image; the others pass
  c.images[0].sources["1.0.0"] = "a100.bin";
  auto plan = make_plan(c, fleet(10000), "fleet.csv");
  ASSERT_TRUE(plan);
  bool seen = false;
  for (const auto& e : plan->matrix) {
    if (e.from_version == "1.0.0" && e.hardware_id == "tcu-revA") {
      seen = true;
      EXPECT_FALSE(e.delta);
      EXPECT_EQ(e.reason, "below min_share of the fleet");
    }
  }
  EXPECT_TRUE(seen);
}

TEST(Plan, SegmentsStagesAndPooling) {
  auto plan = make_plan(config(), fleet(10000), "fleet.csv");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->segments.size(), 8u);  // 4 regions x 2 revisions
  EXPECT_EQ(plan->segments[0].name, "APAC/tcu-revA");
  uint64_t all = 0;
  for (const auto& s : plan->segments) {
    all += s.vins.size();
    ASSERT_EQ(s.stage_end.size(), 3u);
    EXPECT_EQ(s.stage_end[0], 200u);  // 1 % is 9-17 vehicles: the canary takes min_per_segment
    EXPECT_LE(s.stage_end[0], s.stage_end[1]);
    EXPECT_EQ(s.stage_end[2], s.vins.size());
    // Every segment here has 800-1700 vehicles: above the canary's 200 minimum.
    EXPECT_EQ(s.gate_group[0], s.vins.size() < 200 ? "pooled" : s.name);
  }
  EXPECT_EQ(all, 10000u);
  auto small = make_plan(config(), fleet(400), "fleet.csv");
  ASSERT_TRUE(small);
  for (const auto& s : small->segments) {
    EXPECT_EQ(s.gate_group[0], "pooled") << s.name;  // 33-67 vehicles each
    EXPECT_EQ(s.gate_group[1], "pooled") << s.name;  // the minimum holds until a stage resets it
    EXPECT_EQ(s.stage_end[0], 1u);                   // a pooled segment takes its percentage
  }
  ReleaseConfig c = config();
  c.stages[1].min_per_segment = 10;  // a later stage may lower it
  auto lowered = make_plan(c, fleet(400), "fleet.csv");
  ASSERT_TRUE(lowered);
  for (const auto& s : lowered->segments) EXPECT_EQ(s.gate_group[1], s.name);
}

TEST(Plan, AnUnknownHardwareIdNamesItsLine) {
  Inventory inv = fleet(10);
  inv.rows[7].hardware_id = "tcu-revZ";
  auto plan = make_plan(config(), inv, "fleet.csv");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message, "fleet.csv:9: hardware_id: 'tcu-revZ' has no image in the release file");
}

TEST(Plan, SameInputsSamePlan) {
  auto a = make_plan(config(), fleet(3000), "fleet.csv");
  auto b = make_plan(config(), fleet(3000), "fleet.csv");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->segments.size(), b->segments.size());
  for (size_t i = 0; i < a->segments.size(); ++i) EXPECT_EQ(a->segments[i].vins, b->segments[i].vins);
}

}  // namespace
}  // namespace ota::release
