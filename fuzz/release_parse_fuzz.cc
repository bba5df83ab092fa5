// libFuzzer target: the files an operator hands ota-release -- release.yaml, the fleet
// CSV, campaign outcomes (JSON lines) -- must take any bytes without a crash, a leak or
// undefined behaviour; an accepted inventory must give a plan whose every stage keeps its
// promises (cumulative, never above the segment, never zero for a non-empty segment).
// The first byte picks the parser.

#include <string>
#include <string_view>

#include "release/campaign.h"
#include "release/config.h"
#include "release/inventory.h"
#include "release/plan.h"

using namespace ota;
using namespace ota::release;

static ReleaseConfig fixed_config() {
  ReleaseConfig c;
  c.id = "r";
  c.version = "2.0";
  c.images = {{"hw-a", "a.bin", {{"1.0", "a1.bin"}}, 1}, {"hw-b", "b.bin", {}, 2}};
  c.segments = {"region", "hardware_id"};
  c.seed = 7;
  c.stages = {{"canary", 1000, 20}, {"all", 100000, 0}};
  return c;
}

static LoadedPlan fixed_plan() {
  LoadedPlan p;
  p.release_id = "r";
  p.version = "2.0";
  p.stages = {{"canary", 1000, 20}, {"all", 100000, 0}};
  PlannedSegment s;
  s.name = "EU/hw-a";
  for (int i = 0; i < 40; ++i) s.vehicles.push_back({"V" + std::to_string(i), {{"E", "hw-a", "1.0", "EU"}}, 10, 1});
  s.stage_end = {20, 40};
  s.gate_group = {"EU/hw-a", "EU/hw-a"};
  p.segments.push_back(std::move(s));
  return p;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      (void)parse_release_config(text, "release.yaml");
      break;
    }
    case 1: {
      auto inv = parse_inventory(text, "fleet.csv");
      if (!inv) break;
      auto plan = make_plan(fixed_config(), *inv, "fleet.csv");
      if (!plan) break;
      for (const auto& s : plan->segments) {
        uint64_t before = 0;
        for (uint64_t end : s.stage_end) {
          if (end < before || end > s.vins.size() || (end == 0 && !s.vins.empty())) __builtin_trap();
          before = end;
        }
      }
      break;
    }
    case 2: {
      static const LoadedPlan plan = fixed_plan();
      auto outcomes = parse_outcomes(text, "outcomes.jsonl", plan);
      if (outcomes) (void)advance(plan, *outcomes);
      break;
    }
  }
  return 0;
}
