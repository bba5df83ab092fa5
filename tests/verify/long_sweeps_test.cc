// T3, T4 and T7 on a small configuration (the full runs are `ota-verify powercut --long`).
#include "verify/long_sweeps.h"

#include <gtest/gtest.h>

#include "verify/synthetic.h"

namespace ota::verify {
namespace {

Subject small(uint8_t erased) {
  SyntheticConfig c;
  c.layout = "stm32f4";
  c.erased = erased;
  auto s = synthetic_subject(c);
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

class LongSweeps : public ::testing::TestWithParam<uint8_t> {};
#ifdef OTA_SWEEP_SUBSET  // sanitizer builds: the same paths once
INSTANTIATE_TEST_SUITE_P(Erased, LongSweeps, ::testing::Values(uint8_t(0xFF)),
#else
INSTANTIATE_TEST_SUITE_P(Erased, LongSweeps, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)),
#endif
                         [](const auto& p) { return p.param == 0xFF ? std::string("ff") : std::string("00"); });

void expect_clean(const Result<SweepResult>& r, uint64_t at_least) {
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->tried, at_least);
  EXPECT_EQ(r->passed, r->tried);
  for (size_t i = 0; i < r->failures.size() && i < 5; ++i)
    ADD_FAILURE() << flash::to_string(r->failures[i].id) << ": " << r->failures[i].violation;
}

TEST_P(LongSweeps, CutsDuringRecoverySettle) {
  const Subject s = small(GetParam());
#ifdef OTA_SWEEP_SUBSET  // sanitizer builds: one scenario, fewer random runs
  for (Scenario scenario : {Scenario::rollback}) {
    const uint32_t seeds = 10;
#else
  for (Scenario scenario : {Scenario::update, Scenario::rollback}) {
    const uint32_t seeds = 50;
#endif
    LongOptions o;
    o.scenario = scenario;
    o.random_seeds = seeds;
    o.jobs = 2;
    auto r = sweep_recovery_cuts(s, o);
    expect_clean(r, 2 * 30 + seeds);
  }
}

#ifndef OTA_SWEEP_SUBSET  // quadratic: the release build only (its runs are T2's, cut twice)
TEST_P(LongSweeps, EveryOrderedPairOfCutsSettles) {
  const Subject s = small(GetParam());
  LongOptions o;
  o.jobs = 2;
  auto r = sweep_double_cuts(s, o);
  ASSERT_TRUE(r);
  expect_clean(r, r->operations * (r->operations + 1) / 2);
}
#endif

TEST_P(LongSweeps, FlashThatFailsWritesOrWearsOutNeverBricks) {
  const Subject s = small(GetParam());
  const auto checks = fault_checks(s);
  ASSERT_EQ(checks.size(), 4u);
  for (const auto& c : checks) EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
}

}  // namespace
}  // namespace ota::verify
