// BOOT-SPEC T2 + T5: every flash operation of an update (and of the rollback path) cut in
// every mode, over the 24 configurations of the T2 matrix (3 layouts x write sizes
// {1, 4, 8, 16} x erased {0xFF, 0x00}). One test per configuration and scenario, so ctest
// spreads them over the cores.
#include "verify/powercut.h"

#include <gtest/gtest.h>

#include "verify/synthetic.h"

namespace ota::verify {
namespace {

struct Param {
  SyntheticConfig config;
  Scenario scenario;
};

std::vector<Param> params() {
  std::vector<Param> out;
  for (const auto& c : t2_matrix()) {
#ifdef OTA_SWEEP_SUBSET  // sanitizer builds: one configuration (stm32f4, ws8, 0xff), the same code
                         // paths as the page-programmed layouts at a tenth of the runs
    if (c.write_size != 8 || c.erased != 0xFF || c.layout != "stm32f4") continue;
#endif
    for (Scenario s : {Scenario::update, Scenario::rollback}) out.push_back({c, s});
  }
  return out;
}

void PrintTo(const Param& p, std::ostream* os) { *os << to_string(p.config) << " " << to_string(p.scenario); }

class PowerCutSweep : public ::testing::TestWithParam<Param> {};

TEST_P(PowerCutSweep, EveryCutPointSettlesWithTheInvariantsHeld) {
  const Param& p = GetParam();
  auto subject = synthetic_subject(p.config);
  ASSERT_TRUE(subject) << subject.error().message;
  SweepOptions options;
  options.scenario = p.scenario;
  auto result = sweep(*subject, options);
  ASSERT_TRUE(result) << result.error().message;
  // The update is real: at least 64 KiB written into 4 KiB (or larger) sectors.
  EXPECT_GE(subject->plan.image.length, 64u * 1024);
  // One program per page at most, on the device of the slot the update lands in.
  if (const uint32_t page = subject->layout.device_of(subject->layout.slot(1)).page_size) {
    EXPECT_GE(result->programs, subject->plan.image.length / page);
  }
  EXPECT_LE(result->max_slot_sector_erases, 1u);
  // Every operation, in every mode that applies to it (before, after, torn x3, unstable).
  EXPECT_EQ(result->tried, result->operations * 6);
  EXPECT_EQ(result->passed, result->tried);
  for (size_t i = 0; i < result->failures.size() && i < 5; ++i)
    ADD_FAILURE() << flash::to_string(result->failures[i].id) << ": " << result->failures[i].violation;
  std::printf("%s %s: %llu operations, %llu cut runs, %llu passed\n", to_string(p.config).c_str(),
              std::string(to_string(p.scenario)).c_str(), (unsigned long long)result->operations,
              (unsigned long long)result->tried, (unsigned long long)result->passed);
}

std::string name(const ::testing::TestParamInfo<Param>& info) {
  std::string n = to_string(info.param.config) + "_" + std::string(to_string(info.param.scenario));
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(T2, PowerCutSweep, ::testing::ValuesIn(params()), name);

}  // namespace
}  // namespace ota::verify

namespace ota::verify {
namespace {

// The harness itself must be able to fail: an agent whose health check rejects the new
// image can never end "updated", and every run says so with a replayable id.
TEST(PowerCutHarness, ReportsEveryRunThatEndsWrongWithItsRunId) {
  SyntheticConfig c;
  c.layout = "stm32f4";
  auto subject = synthetic_subject(c);
  ASSERT_TRUE(subject) << subject.error().message;
  const agent::AgentConfig rejecting = sweep_agent(*subject, Scenario::rollback, false);
  std::vector<RunSettings> runs(2);
  runs[0].cuts = {{5, flash::CutMode::before}};
  runs[1].cuts = {{10, flash::CutMode::torn_program}};
  runs[1].seed = 3;
  const SweepResult r = run_sweep(*subject, rejecting, expectation_for(*subject, Scenario::update), Scenario::update, runs, 2);
  EXPECT_EQ(r.tried, 2u);
  EXPECT_EQ(r.passed, 0u);
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(flash::to_string(r.failures[1].id), "scenario=update;layout=stm32f4;ws=8;erased=ff;seed=3;cuts=10:torn-program");
  EXPECT_NE(r.failures[0].violation.find("did not settle"), std::string::npos) << r.failures[0].violation;
}

TEST(PowerCutHarness, AnImageThatIsNeitherOldNorNewIsAViolation) {
  SyntheticConfig c;
  c.layout = "stm32f4";
  auto subject = synthetic_subject(c);
  ASSERT_TRUE(subject);
  Expectation wrong = expectation_for(*subject, Scenario::update);
  wrong.new_digest[0] ^= 1;  // the update's image is not the one the harness expects
  flash::MemFlash mem = subject->factory;
  const DeviceRun run = run_device(mem, subject->layout, sweep_agent(*subject, Scenario::update, false), wrong, {});
  ASSERT_TRUE(run.violation);
  EXPECT_NE(run.violation->find("neither the old nor the new"), std::string::npos) << *run.violation;
}

}  // namespace
}  // namespace ota::verify
