// The campaign as a pure function (issue 10 §2): advance replays the plan over the
// outcomes so far; simulate feeds it. Gates wait for every reached vehicle, extend by the
// stage's increment, pool small segments, count timeouts as failures.
#include <gtest/gtest.h>

#include "release/campaign.h"

namespace ota::release {
namespace {

// Segments of the given sizes; stages 1 % (min 200) / 10 % / 100 %.
LoadedPlan plan_of(std::vector<std::pair<std::string, size_t>> sizes, std::vector<std::string> pooled = {}) {
  LoadedPlan p;
  p.release_id = "r";
  p.stages = {{"canary", 1000, 200}, {"early", 10000, 0}, {"full", 100000, 0}};
  for (const auto& [name, n] : sizes) {
    PlannedSegment s;
    s.name = name;
    for (size_t i = 0; i < n; ++i) s.vehicles.push_back({name + "-" + std::to_string(i), {}, 1000, 10});
    const bool pool = std::find(pooled.begin(), pooled.end(), name) != pooled.end();
    const uint64_t canary = pool ? (n + 99) / 100 : std::max<uint64_t>(200, (n + 99) / 100);
    s.stage_end = {canary, std::max<uint64_t>(canary, (n + 9) / 10), n};
    s.gate_group.assign(3, pool ? "pooled" : name);
    p.segments.push_back(std::move(s));
  }
  return p;
}

// Outcomes for positions [from, to) of a segment: `failures` of them (the first ones) fail.
void report(Outcomes& o, const PlannedSegment& s, size_t from, size_t to, size_t failures, Outcome bad = Outcome::failure) {
  for (size_t i = from; i < to; ++i) o.by_vin[s.vehicles[i].vin] = i - from < failures ? bad : Outcome::success;
}

TEST(Advance, WaitsUntilEveryReachedVehicleReported) {
  const LoadedPlan p = plan_of({{"EU", 10000}});
  Outcomes o;
  CampaignStatus st = advance(p, o);
  EXPECT_TRUE(st.waiting);
  EXPECT_TRUE(st.decisions.empty());
  EXPECT_EQ(st.segments[0].reached, 200u);
  report(o, p.segments[0], 0, 199, 0);  // one outstanding
  st = advance(p, o);
  EXPECT_TRUE(st.waiting);
  EXPECT_TRUE(st.decisions.empty());
  EXPECT_EQ(st.segments[0].executed, 199u);
}

TEST(Advance, PromotesStageByStageToCompletion) {
  const LoadedPlan p = plan_of({{"EU", 10000}});
  Outcomes o;
  report(o, p.segments[0], 0, 200, 0);
  CampaignStatus st = advance(p, o);
  ASSERT_EQ(st.decisions.size(), 1u);
  EXPECT_EQ(st.decisions[0].action, "promote");
  EXPECT_EQ(st.segments[0].stage, 1u);
  EXPECT_EQ(st.segments[0].reached, 1000u);
  report(o, p.segments[0], 200, 10000, 0);
  st = advance(p, o);
  EXPECT_EQ(st.segments[0].state, SegmentState::completed);
  ASSERT_EQ(st.decisions.size(), 3u);
  EXPECT_EQ(st.decisions[2].action, "complete");
  EXPECT_EQ(st.segments[0].micro_usd, 10000u * 10);
  EXPECT_FALSE(st.waiting);
}

TEST(Advance, TimeoutsCountAsFailuresAndAbortRollsBackOrHalts) {
  LoadedPlan p = plan_of({{"EU", 10000}});
  Outcomes o;
  report(o, p.segments[0], 0, 200, 30, Outcome::timeout);  // 15 %
  CampaignStatus st = advance(p, o);
  EXPECT_EQ(st.segments[0].state, SegmentState::rolled_back);
  EXPECT_EQ(st.segments[0].failed, 30u);
  ASSERT_EQ(st.decisions.size(), 1u);
  EXPECT_EQ(st.decisions[0].action, "rollback");
  EXPECT_GT(st.decisions[0].result.failure.lower, 0.05);
  p.abort_action = AbortAction::halt;
  EXPECT_EQ(advance(p, o).segments[0].state, SegmentState::halted);
}

TEST(Advance, ExtendsByTheStageIncrementThenHolds) {
  const LoadedPlan p = plan_of({{"EU", 10000}});
  Outcomes o;
  report(o, p.segments[0], 0, 200, 1);  // 0.5 %: lower bound 0.972, extend
  CampaignStatus st = advance(p, o);
  ASSERT_EQ(st.decisions.size(), 1u);
  EXPECT_EQ(st.decisions[0].action, "extend");
  EXPECT_EQ(st.segments[0].reached, 400u);  // the canary's 200 again
  EXPECT_EQ(st.segments[0].extensions, 1u);
  report(o, p.segments[0], 200, 400, 4);  // 5 of 400 (1.25 %): neither bound decides
  st = advance(p, o);
  EXPECT_EQ(st.decisions.back().action, "extend");
  EXPECT_EQ(st.segments[0].reached, 600u);
  report(o, p.segments[0], 400, 800, 4);  // 9 of 800 after the third extension
  st = advance(p, o);
  EXPECT_EQ(st.segments[0].reached, 800u);
  EXPECT_EQ(st.segments[0].state, SegmentState::held);
  EXPECT_EQ(st.decisions.back().action, "hold");
  EXPECT_EQ(st.decisions.back().extension, 3u);
}

TEST(Advance, AHopelessSegmentHoldsWithoutExtending) {
  const LoadedPlan p = plan_of({{"EU", 10000}});
  Outcomes o;
  report(o, p.segments[0], 0, 200, 9);  // 4.5 %: success upper bound < 0.98
  const CampaignStatus st = advance(p, o);
  EXPECT_EQ(st.segments[0].state, SegmentState::held);
  EXPECT_EQ(st.segments[0].reached, 200u);
  EXPECT_NE(st.decisions[0].result.rule.find("upper bound"), std::string::npos);
}

TEST(Advance, PooledSegmentsAreGatedTogether) {
  const LoadedPlan p = plan_of({{"EU", 10000}, {"IS", 120}, {"MT", 90}}, {"IS", "MT"});
  EXPECT_EQ(p.segments[1].stage_end[0], 2u);
  Outcomes o;
  report(o, p.segments[0], 0, 200, 0);
  report(o, p.segments[1], 0, 2, 0);
  CampaignStatus st = advance(p, o);  // MT's one canary vehicle has not reported: the pool waits
  EXPECT_TRUE(st.waiting);
  EXPECT_EQ(st.segments[1].stage, 0u);
  EXPECT_EQ(st.segments[0].stage, 1u);  // EU is gated on its own
  report(o, p.segments[2], 0, 1, 1);
  st = advance(p, o);
  const GateRecord& pool = st.decisions.back();
  EXPECT_EQ(pool.group, "pooled");
  EXPECT_EQ(pool.segments, (std::vector<std::string>{"IS", "MT"}));
  EXPECT_EQ(pool.result.executed, 3u);  // 2 + 1, under min_executed: extend
  EXPECT_EQ(pool.action, "extend");
  EXPECT_EQ(st.segments[1].extensions, st.segments[2].extensions);
}

TEST(Advance, IsAPureFunctionOfPlanAndOutcomes) {
  const LoadedPlan p = plan_of({{"EU", 5000}, {"NA", 5000}});
  SimulationOptions opt{9, 0.01, {{"NA", 0.2}}};
  const CampaignStatus a = simulate(p, opt), b = simulate(p, opt);
  ASSERT_EQ(a.decisions.size(), b.decisions.size());
  for (size_t i = 0; i < a.segments.size(); ++i) {
    EXPECT_EQ(a.segments[i].state, b.segments[i].state);
    EXPECT_EQ(a.segments[i].failed, b.segments[i].failed);
  }
  EXPECT_EQ(a.segments[1].state, SegmentState::rolled_back);
  EXPECT_EQ(overall_state(a), "rolled_back");
}

TEST(Outcomes, ParsesJsonLinesAndNamesTheLineOfAnError) {
  const LoadedPlan p = plan_of({{"EU", 300}});
  auto o = parse_outcomes(
      "{\"vin\":\"EU-0\",\"ecu_serial\":\"a\",\"result\":\"failure\"}\n"
      "{\"vin\":\"EU-0\",\"ecu_serial\":\"b\",\"result\":\"success\"}\n\n"
      "{\"vin\":\"EU-1\",\"result\":\"timeout\"}\n",
      "out.jsonl", p);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->by_vin.at("EU-0"), Outcome::failure);  // one failed ECU fails the vehicle
  EXPECT_EQ(o->by_vin.at("EU-1"), Outcome::timeout);
  auto e = parse_outcomes("{\"vin\":\"EU-0\",\"result\":\"success\"}\n{\"vin\":\"XX-1\",\"result\":\"success\"}\n", "o.jsonl", p);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "o.jsonl:2: vin: 'XX-1' is not in the plan");
  e = parse_outcomes("{\"vin\":\"EU-0\",\"result\":\"ok\"}\n", "o.jsonl", p);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "o.jsonl:1: result: 'ok' is not success, failure or timeout");
  e = parse_outcomes("{\"vin\":\"EU-0\",\"result\":\"success\",\"when\":1}\n", "o.jsonl", p);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "o.jsonl:1: when: unknown field");
  e = parse_outcomes("not json\n", "o.jsonl", p);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "o.jsonl:1: line: not a JSON object");
}

}  // namespace
}  // namespace ota::release
