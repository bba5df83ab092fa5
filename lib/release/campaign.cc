#include "release/campaign.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "core/splitmix64.h"

namespace ota::release {
namespace {

// Per segment: what the outcomes say about each cohort position, as prefix sums, so a
// gate's counts over any cohort prefix cost O(1).
struct SegmentOutcomes {
  std::vector<uint32_t> reported, failed;  // prefix: [i] = count over positions < i
  std::vector<uint64_t> bytes, micro_usd;
};

SegmentOutcomes index_outcomes(const PlannedSegment& s, const Outcomes& outcomes) {
  const size_t n = s.vehicles.size();
  SegmentOutcomes o;
  o.reported.assign(n + 1, 0);
  o.failed.assign(n + 1, 0);
  o.bytes.assign(n + 1, 0);
  o.micro_usd.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const auto it = outcomes.by_vin.find(s.vehicles[i].vin);
    const bool seen = it != outcomes.by_vin.end();
    o.reported[i + 1] = o.reported[i] + (seen ? 1 : 0);
    o.failed[i + 1] = o.failed[i] + (seen && it->second != Outcome::success ? 1 : 0);
    o.bytes[i + 1] = o.bytes[i] + s.vehicles[i].bytes;
    o.micro_usd[i + 1] = o.micro_usd[i] + s.vehicles[i].micro_usd;
  }
  return o;
}

// What one extension of stage k adds to a segment: the stage's own increment again (the
// first stage's size if the stage adds none), at least min_executed.
uint64_t extension_size(const PlannedSegment& s, size_t k, uint64_t min_executed) {
  uint64_t inc = s.stage_end[k] - (k ? s.stage_end[k - 1] : 0);
  if (inc == 0) inc = s.stage_end[0];
  return std::max(inc, min_executed);
}

}  // namespace

std::string_view to_string(SegmentState s) {
  switch (s) {
    case SegmentState::running: return "running";
    case SegmentState::completed: return "completed";
    case SegmentState::held: return "held";
    case SegmentState::rolled_back: return "rolled_back";
    case SegmentState::halted: return "halted";
  }
  return "running";
}

Result<Outcomes> parse_outcomes(std::string_view text, const std::string& file, const LoadedPlan& plan) {
  std::set<std::string> known;
  for (const auto& s : plan.segments)
    for (const auto& v : s.vehicles) known.insert(v.vin);
  Outcomes out;
  size_t pos = 0;
  for (uint32_t line = 1; pos < text.size(); ++line) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view row = text.substr(pos, end - pos);
    pos = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto bad = [&](const std::string& field, const std::string& what) {
      return Error{Errc::invalid_argument, file + ":" + std::to_string(line) + ": " + field + ": " + what};
    };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(row);
    } catch (const nlohmann::json::exception&) {
      return bad("line", "not a JSON object");
    }
    if (!j.is_object()) return bad("line", "not a JSON object");
    if (!j.contains("vin") || !j["vin"].is_string()) return bad("vin", "missing");
    const std::string vin = j["vin"].get<std::string>();
    if (!known.count(vin)) return bad("vin", "'" + vin + "' is not in the plan");
    if (!j.contains("result") || !j["result"].is_string()) return bad("result", "missing");
    const std::string r = j["result"].get<std::string>();
    Outcome o;
    if (r == "success") o = Outcome::success;
    else if (r == "failure") o = Outcome::failure;
    else if (r == "timeout") o = Outcome::timeout;
    else return bad("result", "'" + r + "' is not success, failure or timeout");
    for (const auto& [key, value] : j.items())
      if (key != "vin" && key != "result" && key != "ecu_serial") return bad(key, "unknown field");
    // A vehicle failed if any of its ECUs failed, whatever order they were reported in.
    auto [it, inserted] = out.by_vin.emplace(vin, o);
    if (!inserted && o != Outcome::success) it->second = o;
  }
  return out;
}

CampaignStatus advance(const LoadedPlan& plan, const Outcomes& outcomes) {
  CampaignStatus st;
  const size_t stages = plan.stages.size();
  std::vector<SegmentOutcomes> idx;
  for (const auto& s : plan.segments) {
    idx.push_back(index_outcomes(s, outcomes));
    SegmentStatus ss;
    ss.name = s.name;
    ss.reached = stages && !s.vehicles.empty() ? s.stage_end[0] : 0;
    ss.state = s.vehicles.empty() || !stages ? SegmentState::completed : SegmentState::running;
    st.segments.push_back(ss);
  }
  for (bool progress = true; progress;) {
    progress = false;
    st.waiting = false;
    // Gate groups of the running segments: (stage, group name) -> members.
    std::map<std::pair<size_t, std::string>, std::vector<size_t>> groups;
    for (size_t i = 0; i < st.segments.size(); ++i) {
      const SegmentStatus& s = st.segments[i];
      if (s.state == SegmentState::running) groups[{s.stage, plan.segments[i].gate_group[s.stage]}].push_back(i);
    }
    for (const auto& [key, members] : groups) {
      const auto& [k, group] = key;
      uint64_t executed = 0, failed = 0;
      bool complete = true, whole = true;
      for (size_t i : members) {
        const SegmentStatus& s = st.segments[i];
        complete = complete && idx[i].reported[s.reached] == s.reached;
        whole = whole && s.reached == plan.segments[i].vehicles.size();
        executed += s.reached;
        failed += idx[i].failed[s.reached];
      }
      if (!complete) {
        st.waiting = true;
        continue;
      }
      const uint32_t ext = st.segments[members[0]].extensions;
      GateRecord rec{group, plan.stages[k].name, ext, decide(executed, failed, ext, plan.gate, plan.abort), "", {}};
      for (size_t i : members) rec.segments.push_back(st.segments[i].name);
      Decision d = rec.result.decision;
      if (d == Decision::extend && whole) {  // nobody left to add: the verdict stands as it is
        d = Decision::hold;
        rec.result.rule = "every vehicle of the segment reached and the gate not met";
      }
      for (size_t i : members) {
        SegmentStatus& s = st.segments[i];
        const PlannedSegment& ps = plan.segments[i];
        switch (d) {
          case Decision::abort:
            s.state = plan.abort_action == AbortAction::rollback ? SegmentState::rolled_back : SegmentState::halted;
            break;
          case Decision::hold: s.state = SegmentState::held; break;
          case Decision::extend:
            ++s.extensions;
            s.reached = std::min<uint64_t>(ps.vehicles.size(), s.reached + extension_size(ps, k, plan.gate.min_executed));
            break;
          case Decision::promote:
            if (k + 1 == stages) {
              s.state = SegmentState::completed;
            } else {
              s.stage = k + 1;
              s.extensions = 0;
              s.reached = std::max(s.reached, ps.stage_end[k + 1]);
            }
            break;
        }
      }
      rec.result.decision = d;
      rec.action = d == Decision::abort ? (plan.abort_action == AbortAction::rollback ? "rollback" : "halt")
                   : d == Decision::promote && k + 1 == stages ? "complete"
                                                               : std::string(to_string(d));
      st.decisions.push_back(std::move(rec));
      progress = true;
    }
  }
  for (size_t i = 0; i < st.segments.size(); ++i) {
    SegmentStatus& s = st.segments[i];
    s.executed = idx[i].reported[s.reached];
    s.failed = idx[i].failed[s.reached];
    s.bytes = idx[i].bytes[s.reached];
    s.micro_usd = idx[i].micro_usd[s.reached];
  }
  return st;
}

std::string_view overall_state(const CampaignStatus& status) {
  int worst = 0;  // 0 completed, 1 running, 2 held, 3 rolled_back, 4 halted
  for (const auto& s : status.segments) {
    const int rank = s.state == SegmentState::completed ? 0
                     : s.state == SegmentState::running ? 1
                     : s.state == SegmentState::held    ? 2
                     : s.state == SegmentState::rolled_back ? 3
                                                            : 4;
    worst = std::max(worst, rank);
  }
  static constexpr std::string_view names[] = {"completed", "running", "held", "rolled_back", "halted"};
  return names[worst];
}

CampaignStatus simulate(const LoadedPlan& plan, const SimulationOptions& options, Outcomes* drawn) {
  Outcomes own;
  Outcomes& outcomes = drawn ? *drawn : own;
  auto fails = [&](const std::string& vin, double rate) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the VIN, mixed with the seed
    for (unsigned char c : vin) h = (h ^ c) * 0x100000001b3ull;
    uint64_t state = h ^ options.seed;
    return splitmix64_unit(state) < rate;
  };
  for (;;) {
    CampaignStatus st = advance(plan, outcomes);
    bool added = false;
    for (size_t i = 0; i < st.segments.size(); ++i) {
      const SegmentStatus& s = st.segments[i];
      if (s.state != SegmentState::running) continue;
      const auto r = options.segment_failure_rate.find(s.name);
      const double rate = r == options.segment_failure_rate.end() ? options.failure_rate : r->second;
      for (uint64_t p = 0; p < s.reached; ++p) {
        const std::string& vin = plan.segments[i].vehicles[p].vin;
        if (outcomes.by_vin.count(vin)) continue;
        outcomes.by_vin.emplace(vin, fails(vin, rate) ? Outcome::failure : Outcome::success);
        added = true;
      }
    }
    if (!added) return st;
  }
}

}  // namespace ota::release
