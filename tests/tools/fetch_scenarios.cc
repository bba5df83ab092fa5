// fetch_scenarios OUTDIR: crafted TUF repositories for the tuf-js parity harness
// (tests/interop/fetch_parity.sh, issue 9 §5), written from tests/fakes/repo_sim.h, the
// same simulator as the unit ports in tests/client/updater_conformance_test.cc, so the
// differential cases and the unit tests cannot drift apart. Layout and plan format:
// tests/tools/fetch_scenario_writer.h. Metadata expires 30 days after the real clock
// ("expired" scenarios use a date in the past), so no fake clock is needed.
#include <cstdio>
#include <ctime>

#include "fetch_scenario_writer.h"

namespace ota::testing {
namespace {

constexpr auto kAccept = Expect::accept;
constexpr auto kReject = Expect::reject;

// ---------------------------------------------------------------- root chains

struct RootStep {
  std::vector<int> keys;
  uint32_t threshold;
  std::vector<int> sigs;
};

// Root versions 1..N with the given keys, thresholds and signers (the suite's
// test_updater_key_rotations.py cases); version 1 is the device's anchor.
void root_chain(ScenarioWriter& w, const std::vector<RootStep>& steps) {
  std::vector<SimKey> pool;
  for (int i = 0; i < 10; ++i) pool.push_back(testing::make_sim_key());
  auto pick = [&](const std::vector<int>& idx) {
    std::vector<SimKey> out;
    for (int i : idx) out.push_back(pool[size_t(i)]);
    return out;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    w.sim.set_role_keys("root", pick(steps[i].keys), steps[i].threshold);
    w.sim.signers["root"] = pick(steps[i].sigs);
    w.sim.publish({"root"}, /*bump=*/i > 0);
    if (i == 0) w.pin_initial_root();
  }
}

}  // namespace

ScenarioList basic_scenarios() {
  return {
    // ---- honest repositories
    {"honest-consistent",
     [](ScenarioWriter& w) {
       with_file(w);
       w.step(kFile, kAccept);
       w.sim.add_target("targets", kFile, "second content");
       w.sim.publish({"targets", "snapshot", "timestamp"});
       w.step(kFile, kAccept);
     }},
    {"honest-plain",
     [](ScenarioWriter& w) {
       w.sim.set_consistent_snapshot(false);
       w.sim.publish({"root"}, false);
       w.pin_initial_root();
       with_file(w);
       w.step(kFile, kAccept);
       w.sim.add_target("targets", kFile, "second content");
       w.sim.publish({"targets", "snapshot", "timestamp"});
       w.step(kFile, kAccept);
     }},
    {"honest-meta-hashes-length",
     [](ScenarioWriter& w) {
       w.sim.with_hashes_and_length = true;
       with_file(w);
       w.step(kFile, kAccept);
       w.sim.publish({"targets", "snapshot", "timestamp"});
       w.step(kFile, kAccept);
     }},
    {"target-sha256-and-sha512",
     [](ScenarioWriter& w) {
       w.sim.add_target("targets", kFile, "two hashes", {"sha256", "sha512"});
       w.sim.publish({"targets", "snapshot", "timestamp"});
       w.step(kFile, kAccept);
     }},
    {"target-path-segments-spaces",
     [](ScenarioWriter& w) {
       w.sim.add_target("targets", "dir one/sub dir/file name.txt", "spaced");
       w.sim.publish({"targets", "snapshot", "timestamp"});
       w.step("dir one/sub dir/file name.txt", kAccept);
     }},

    // ---- root rotation
    {"root-rotation-1of1",
     [](ScenarioWriter& w) {
       with_file(w);
       w.step(kFile, kAccept);
       // Versions 2 and 3 on top of the pinned version 1: keys 1 -> 2.
       std::vector<SimKey> k = {testing::make_sim_key()};
       auto old = w.sim.signers["root"];
       w.sim.set_role_keys("root", k, 1);
       w.sim.signers["root"] = {k[0], old[0]};
       w.sim.publish({"root"});
       w.sim.signers["root"] = k;
       w.sim.publish({"root"});
       w.step(kFile, kAccept);
     }},
    {"root-rotation-3of5-one-key-rotated-intermediate",
     [](ScenarioWriter& w) {
       root_chain(w, {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 2, 4, 5}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 5}}});
       with_file(w);
       w.step(kFile, kAccept);
     }},
    {"root-rotation-3of5-all-keys-rotated",
     [](ScenarioWriter& w) {
       root_chain(w, {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{5, 6, 7, 8, 9}, 3, {0, 2, 4, 5, 6, 7}}, {{5, 6, 7, 8, 9}, 3, {5, 6, 7}}});
       with_file(w);
       w.step(kFile, kAccept);
     }},
    {"root-threshold-1of3-to-2of3",
     [](ScenarioWriter& w) {
       root_chain(w, {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 2, {1, 2}}});
       with_file(w);
       w.step(kFile, kAccept);
     }},
    {"root-threshold-2of3-to-1of3",
     [](ScenarioWriter& w) {
       root_chain(w, {{{1, 2, 3}, 2, {1, 2}}, {{1, 2, 3}, 1, {1, 2}}, {{1, 2, 3}, 1, {1}}});
       with_file(w);
       w.step(kFile, kAccept);
     }},
    {"root-not-signed-by-old-key",
     [](ScenarioWriter& w) {
       root_chain(w, {{{1}, 1, {1}}, {{2}, 1, {2, 3, 4}}});
       with_file(w);
       w.step(kFile, kReject);
     }},
    {"root-not-signed-by-three-old-keys",
     [](ScenarioWriter& w) {
       root_chain(w, {{{0, 1, 2, 3, 4}, 3, {0, 2, 4}}, {{0, 1, 3, 4, 5}, 3, {0, 4, 5}}});
       with_file(w);
       w.step(kFile, kReject);
     }},
    {"root-new-threshold-not-met",
     [](ScenarioWriter& w) {
       root_chain(w, {{{1, 2, 3}, 1, {1}}, {{1, 2, 3}, 2, {1}}});
       with_file(w);
       w.step(kFile, kReject);
     }},
    {"root-expired-intermediate",
     [](ScenarioWriter& w) {
       with_file(w);
       w.sim.set_expires("root", w.sim.now - kDay);
       w.sim.publish({"root"});
       w.sim.set_expires("root", w.sim.now + 30 * kDay);
       w.sim.publish({"root"});
       w.step(kFile, kAccept);
     }},
    {"root-expired-final",
     [](ScenarioWriter& w) {
       with_file(w);
       w.sim.set_expires("root", w.sim.now - kDay);
       w.sim.publish({"root"});
       w.step(kFile, kReject);
     }},
  };
}

}  // namespace ota::testing

int main(int argc, char** argv) {
  using namespace ota::testing;
  if (argc != 2) {
    std::fprintf(stderr, "usage: fetch_scenarios OUTDIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const ota::metadata::Time now = std::time(nullptr);
  ScenarioList all;
  for (auto list : {basic_scenarios(), attack_scenarios(), delegation_scenarios()})
    for (auto& s : list) all.push_back(std::move(s));
  try {
    for (const auto& [name, make] : all) {
      ScenarioWriter w(out, name, now);
      make(w);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fetch_scenarios: %s\n", e.what());
    return 1;
  }
  std::printf("%zu scenarios in %s\n", all.size(), out.c_str());
  return 0;
}
