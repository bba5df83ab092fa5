// A staged rollout as a pure function (issue 10 §2, docs/release.md): given the plan and
// the outcomes reported so far, where every segment stands and why. `advance` replays the
// campaign from its first stage on every call, so its answer never depends on earlier
// runs, only on the outcomes; `simulate` feeds it outcomes drawn at given failure rates.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "release/gate.h"
#include "release/plan_dir.h"

namespace ota::release {

enum class Outcome : uint8_t { success, failure, timeout };  // a timeout counts as a failure

// The outcomes reported so far, per vehicle: a vehicle failed if any of its ECUs did.
struct Outcomes {
  std::unordered_map<std::string, Outcome> by_vin;
};

// OUTCOMES.jsonl: one {"vin": "...", "ecu_serial": "...", "result": "success" | "failure" |
// "timeout"} per line (ecu_serial optional). Errors name file:line: field. A VIN not in
// the plan is refused.
Result<Outcomes> parse_outcomes(std::string_view text, const std::string& file, const LoadedPlan& plan);

enum class SegmentState { running, completed, held, rolled_back, halted };
std::string_view to_string(SegmentState s);

struct SegmentStatus {
  std::string name;
  SegmentState state = SegmentState::running;
  size_t stage = 0;             // index of the stage it is in (or stopped in)
  uint32_t extensions = 0;      // used in that stage
  uint64_t reached = 0;         // vehicles assigned the release so far (cohort prefix)
  uint64_t executed = 0, failed = 0;
  uint64_t bytes = 0;           // estimated download of the vehicles reached
  uint64_t micro_usd = 0;       // what it costs, in millionths of a dollar
};

struct GateRecord {             // one decision and everything it was made from
  std::string group, stage;
  uint32_t extension = 0;
  GateResult result;
  std::string action;           // promote, extend, hold, rollback, halt, complete
  std::vector<std::string> segments;
};

struct CampaignStatus {
  std::vector<SegmentStatus> segments;  // the plan's order
  std::vector<GateRecord> decisions;    // in the order they were made
  bool waiting = false;                 // some segment waits for outcomes of vehicles it reached
};

// Replays the campaign: every gate group (a segment, or the pool) decides when every
// vehicle it has reached has an outcome, on the cumulative outcomes of its segments.
CampaignStatus advance(const LoadedPlan& plan, const Outcomes& outcomes);

// "completed" when every segment completed, else the gravest segment state
// (halted > rolled_back > held > running).
std::string_view overall_state(const CampaignStatus& status);

struct SimulationOptions {
  uint64_t seed = 0;
  double failure_rate = 0;
  std::map<std::string, double> segment_failure_rate;  // segment name -> rate
};

// Runs the campaign to its end: each vehicle reached fails with its segment's rate,
// decided by a hash of the seed and its VIN (the same vehicle fails in every run).
// `outcomes`, when given, receives every outcome drawn (for `report`).
CampaignStatus simulate(const LoadedPlan& plan, const SimulationOptions& options, Outcomes* outcomes = nullptr);

}  // namespace ota::release
