// Gate statistics (issue 10 §2): quantiles, Wilson bounds, and the decision table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "release/gate.h"

namespace ota::release {
namespace {

TEST(NormalQuantile, MatchesKnownQuantiles) {
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.95), 1.644853626951472, 1e-12);
  EXPECT_NEAR(normal_quantile(0.995), 2.575829303548901, 1e-12);
  EXPECT_NEAR(normal_quantile(0.01), -2.326347874040841, 1e-12);
  EXPECT_NEAR(normal_quantile(1e-6), -4.753424308822899, 1e-10);
  EXPECT_NEAR(z_for_confidence(0.95), 1.959963984540054, 1e-12);
}

TEST(Wilson, KnownIntervals) {
  // 0 of 10 at 95 %: [0, 0.2775]; 10 of 10: [0.7225, 1] (the classic table values).
  const double z = z_for_confidence(0.95);
  EXPECT_NEAR(wilson(0, 10, z).lower, 0.0, 1e-12);
  EXPECT_NEAR(wilson(0, 10, z).upper, 0.277533, 1e-6);
  EXPECT_NEAR(wilson(10, 10, z).lower, 0.722467, 1e-6);
  EXPECT_NEAR(wilson(50, 100, z).lower, 0.403832, 1e-6);
  EXPECT_NEAR(wilson(50, 100, z).upper, 0.596168, 1e-6);
  EXPECT_EQ(wilson(0, 0, z).lower, 0.0);
  EXPECT_EQ(wilson(0, 0, z).upper, 1.0);
}

// The smallest n whose Wilson lower bound of success reaches 98 % at 95 % confidence when
// `failed` of them failed: why a 98 % gate needs ~190-650 vehicles per segment.
uint64_t vehicles_for_98(uint64_t failed) {
  const double z = z_for_confidence(0.95);
  for (uint64_t n = std::max<uint64_t>(failed, 1); n < 100000; ++n)
    if (wilson(n - failed, n, z).lower >= 0.98) return n;
  return 0;
}

TEST(Wilson, VehiclesANinetyEightPercentGateNeeds) {
  EXPECT_EQ(vehicles_for_98(0), 189u);
  EXPECT_EQ(vehicles_for_98(1), 280u);
  EXPECT_EQ(vehicles_for_98(3), 437u);
  EXPECT_EQ(vehicles_for_98(6), 650u);  // about 0.9 % failing
}

TEST(Decide, PromotesAbortsExtendsAndHolds) {
  const GateRule gate;    // 0.98 at 0.95, 50 executed, 3 extensions
  const AbortRule abort;  // 0.05 at 0.95, 50 executed
  EXPECT_EQ(decide(200, 0, 0, gate, abort).decision, Decision::promote);
  EXPECT_EQ(decide(188, 0, 0, gate, abort).decision, Decision::extend);  // one short of 189
  EXPECT_EQ(decide(40, 0, 0, gate, abort).decision, Decision::extend);   // under min_executed
  EXPECT_EQ(decide(200, 30, 0, gate, abort).decision, Decision::abort);  // 15 % failing
  EXPECT_EQ(decide(40, 30, 0, gate, abort).decision, Decision::extend);  // too few to abort yet
  EXPECT_EQ(decide(200, 8, 3, gate, abort).decision, Decision::hold);    // 4 %: neither bound met
  // 3.5 % failing: at 200 the upper bound of success (0.983) still allows 98 %, so extend;
  // at 400 it is 0.979 and more vehicles would not help: hold without spending more.
  EXPECT_EQ(decide(200, 7, 0, gate, abort).decision, Decision::extend);
  const GateResult held = decide(400, 14, 1, gate, abort);
  EXPECT_EQ(held.decision, Decision::hold);
  EXPECT_LT(held.success.upper, 0.98);
  EXPECT_NE(held.rule.find("upper bound"), std::string::npos) << held.rule;
  const GateResult r = decide(200, 30, 0, gate, abort);
  EXPECT_EQ(r.executed, 200u);
  EXPECT_EQ(r.failed, 30u);
  EXPECT_GT(r.failure.lower, 0.05);
  EXPECT_NE(r.rule.find("max_failure"), std::string::npos);
}

}  // namespace
}  // namespace ota::release
