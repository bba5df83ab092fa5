// release.yaml (issue 10 §1): the example parses with paths resolved against the file's
// directory; bad input is one line naming file, line and field.
#include <gtest/gtest.h>

#include "release/config.h"

namespace ota::release {
namespace {

const std::string kExample = R"(release: {id: tcu-2.4.0, version: 2.4.0}
images:
  - hardware_id: tcu-revA
    file: build/revA-2.4.0.bin
    sources: {2.3.0: old/revA-2.3.0.bin, 2.2.1: old/revA-2.2.1.bin}
inventory: fleet.csv
deltas: {min_share: 0.005, max_ratio: 0.6}
segments: [region, hardware_id]
campaign:
  seed: 20261124
  stages:
    - {name: canary, percent: 1, min_per_segment: 200}
    - {name: early, percent: 5}
    - {name: broad, percent: 25}
    - {name: full, percent: 100}
  gate:  {min_success: 0.98, confidence: 0.95, min_executed: 50, max_extensions: 3}
  abort: {max_failure: 0.05, confidence: 0.95, min_executed: 50, action: rollback}
cost: {usd_per_mb: {EU: 0.03, NA: 0.03}, default_usd_per_mb: 0.05, protocol_overhead: 0.03}
repository: {config: repo.yaml}
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ReleaseConfig, TheIssuesExampleParses) {
  auto c = parse_release_config(kExample, "/rel/release.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->id, "tcu-2.4.0");
  ASSERT_EQ(c->images.size(), 1u);
  EXPECT_EQ(c->images[0].file, "/rel/build/revA-2.4.0.bin");
  EXPECT_EQ(c->images[0].sources.at("2.2.1"), "/rel/old/revA-2.2.1.bin");
  EXPECT_EQ(c->inventory, "/rel/fleet.csv");
  EXPECT_EQ(c->segments, (std::vector<std::string>{"region", "hardware_id"}));
  ASSERT_EQ(c->stages.size(), 4u);
  EXPECT_EQ(c->stages[0].milli_percent, 1000u);
  EXPECT_EQ(c->stages[0].min_per_segment, 200u);
  EXPECT_EQ(c->stages[3].milli_percent, 100000u);
  EXPECT_EQ(c->seed, 20261124u);
  EXPECT_EQ(c->gate.max_extensions, 3u);
  EXPECT_EQ(c->abort_action, AbortAction::rollback);
  EXPECT_DOUBLE_EQ(c->usd_per_mb.at("EU"), 0.03);
  EXPECT_EQ(c->repo_config, "/rel/repo.yaml");
}

TEST(ReleaseConfig, BadInputNamesFileLineAndField) {
  struct Case {
    std::string from, to, message;
  };
  const Case cases[] = {
      {"inventory: fleet.csv", "inventory: fleet.csv\nextra: 1", "r.yaml:7: extra: unknown field"},
      {"{name: broad, percent: 25}", "{name: broad, percent: 125}", "r.yaml:14: campaign.stages[].percent: percent '125'"},
      {"{name: broad, percent: 25}", "{name: broad, percent: 4}", "r.yaml:14: campaign.stages[].percent: must be above"},
      {"action: rollback", "action: pause", "r.yaml:17: campaign.abort.action: expected rollback or halt"},
      {"segments: [region, hardware_id]", "segments: [region, vin]", "r.yaml:8: segments: expected region or hardware_id"},
      {"min_success: 0.98", "min_success: 1.5", "r.yaml:16: campaign.gate.min_success: expected a number"},
      {"    file: build/revA-2.4.0.bin\n", "", "r.yaml:3: images[].file: missing"},
      {"seed: 20261124", "seed: -4", "r.yaml:10: campaign.seed: expected a whole number"},
  };
  for (const auto& c : cases) {
    auto r = parse_release_config(replace(kExample, c.from, c.to), "r.yaml");
    ASSERT_FALSE(r) << c.to;
    EXPECT_EQ(r.error().message.rfind(c.message, 0), 0u) << r.error().message;
  }
  auto broken = parse_release_config("release: [\n", "r.yaml");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message.rfind("r.yaml:", 0), 0u);
}

}  // namespace
}  // namespace ota::release
