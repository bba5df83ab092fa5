// Shards (issue 10 §2-4): every item in exactly one shard, balanced by input size, the same
// assignment for the same plan and K; the engines' matrix limits are never exceeded.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <numeric>

#include "release/emit.h"
#include "release/shards.h"

namespace ota::release {
namespace {

// n hardware classes, each with one source: 3n items of uneven sizes (full image, delta,
// reverse delta).
LoadedPlan plan_with_items(size_t n) {
  LoadedPlan p;
  p.release_id = "tcu-2.4.0";
  for (size_t i = 0; i < n; ++i) {
    PlannedImage img;
    img.hardware_id = "hw" + std::to_string(i);
    img.file = "build/" + img.hardware_id + ".bin";
    img.sha256 = std::string(60, 'a') + std::to_string(1000 + i);
    img.size = 1000 + (i * 7919) % 100000;
    img.sources["1.0"] = {"old/" + img.hardware_id + ".bin", std::string(60, 'b') + std::to_string(1000 + i), img.size / 2};
    p.images.push_back(img);
    p.matrix.push_back({img.hardware_id, "1.0", "delta", 10, 0, img.sources["1.0"].sha256});
  }
  return p;
}

TEST(Shards, EveryItemOnceBalancedAndDeterministic) {
  const auto items = work_items(plan_with_items(50));
  ASSERT_EQ(items.size(), 150u);
  EXPECT_TRUE(std::is_sorted(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.id < b.id; }));
  for (size_t k : {1, 3, 7, 100, 150, 200}) {
    const auto shards = assign_shards(items, k);
    EXPECT_EQ(shards.size(), std::min<size_t>(k, 150));
    std::vector<size_t> all;
    std::vector<uint64_t> load;
    uint64_t heaviest = 0;
    for (const auto& s : shards) {
      all.insert(all.end(), s.begin(), s.end());
      load.push_back(0);
      for (size_t i : s) load.back() += items[i].weight;
    }
    for (const auto& w : items) heaviest = std::max(heaviest, w.weight);
    std::sort(all.begin(), all.end());
    std::vector<size_t> expect(items.size());
    std::iota(expect.begin(), expect.end(), 0);
    EXPECT_EQ(all, expect) << k;
    // LPT: no shard exceeds the lightest by more than the heaviest single item.
    EXPECT_LE(*std::max_element(load.begin(), load.end()), *std::min_element(load.begin(), load.end()) + heaviest) << k;
    EXPECT_EQ(assign_shards(items, k), shards);
  }
}

TEST(Shards, ADeltaItemIsNamedBySourceAndTargetHashAndHasItsReverse) {
  const LoadedPlan p = plan_with_items(1);
  const auto items = work_items(p);
  ASSERT_EQ(items.size(), 3u);
  const WorkItem* forward = nullptr;
  const WorkItem* back = nullptr;
  for (const auto& w : items) {
    if (w.rollback) back = &w;
    else if (w.delta) forward = &w;
  }
  ASSERT_TRUE(forward && back);
  EXPECT_EQ(forward->id, p.images[0].sources.at("1.0").sha256 + "_" + p.images[0].sha256);
  EXPECT_EQ(forward->weight, 1000u + 500u);
  EXPECT_EQ(forward->from_versions, std::vector<std::string>{"1.0"});
  EXPECT_EQ(back->id, p.images[0].sha256 + "_" + p.images[0].sources.at("1.0").sha256);
  EXPECT_EQ(back->target_file, p.images[0].sources.at("1.0").file);
}

size_t matrix_jobs(const std::string& text, Engine engine) {
  const YAML::Node doc = YAML::LoadAll(text).at(0);
  switch (engine) {
    case Engine::gitlab: return doc["deltas"]["parallel"]["matrix"][0]["SHARD"].size();
    case Engine::github: return doc["jobs"]["deltas"]["strategy"]["matrix"]["shard"].size();
    case Engine::k8s: return doc["spec"]["completions"].as<size_t>();
  }
  return 0;
}

TEST(Emit, EngineLimitsAreNeverExceeded) {
  const LoadedPlan p = plan_with_items(334);  // 1,002 items
  for (Engine e : {Engine::gitlab, Engine::github, Engine::k8s}) {
    EmitOptions o;
    o.engine = e;
    o.max_jobs = 256;
    auto out = emit_pipeline(p, o, "ota-release test");
    ASSERT_TRUE(out);
    EXPECT_EQ(out->items, 1002u);
    const size_t expect = e == Engine::gitlab ? 200 : 256;
    EXPECT_EQ(out->shards, expect);
    EXPECT_EQ(matrix_jobs(out->text, e), expect);
    o.max_jobs = 0;  // the engine's own limit
    EXPECT_LE(matrix_jobs(emit_pipeline(p, o, "t")->text, e), e == Engine::github ? 256u : 200u);
  }
  EmitOptions few;
  few.max_jobs = 8;
  EXPECT_EQ(emit_pipeline(plan_with_items(2), few, "t")->shards, 6u);  // never more jobs than items
}

}  // namespace
}  // namespace ota::release
