// The power-cut proof (BOOT-SPEC T2, T3, T5; issue 7 §4; docs/verify.md): an update run once
// without cuts to count its flash operations N, then, for every i in 1..N and every cut
// mode that applies to operation i, the same update from the same snapshot with power lost
// at i, resumed by power-cycling until the device settles, with the T5 invariants checked
// after every boot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/device_agent.h"
#include "agent/update_plan.h"
#include "flash/mem_flash.h"
#include "flash/trace.h"
#include "image/layout.h"
#include "verify/device_run.h"

namespace ota::verify {

// What is updated: a device before the update, and the update as the agent will see it.
struct Subject {
  std::string name;                    // the layout's name in run ids
  image::Layout layout;
  flash::MemFlash factory;             // the snapshot every run starts from
  agent::UpdatePlan plan;
  std::map<std::string, Bytes> files;  // target path -> bytes (the repository, in memory)
  agent::Sha256 old_digest{};          // the running image's SHA256 TLV
};

enum class Scenario { update, rollback };
std::string_view to_string(Scenario scenario);

struct SweepOptions {
  Scenario scenario = Scenario::update;
  std::vector<flash::CutMode> modes{flash::kAllCutModes.begin(), flash::kAllCutModes.end()};
  uint32_t torn_seeds = 3;   // torn-program and torn-erase runs per operation (T2)
  unsigned jobs = 1;         // worker threads
  uint64_t seed = 1;         // the first torn seed
  bool prefer_full = false;  // sweep the full-image delivery instead of the patch
};

struct SweepFailure {
  flash::RunId id;
  std::string violation;
};

struct SweepResult {
  uint64_t operations = 0;   // N: program and erase operations of the uncut run
  uint64_t programs = 0, erases = 0;
  uint64_t tried = 0, passed = 0;
  uint64_t max_slot_sector_erases = 0;  // wear: the most any slot sector was erased in the uncut run
  std::vector<SweepFailure> failures;   // sorted by cut point
};

// The uncut run must settle as expected (Errc::rejected naming the violation otherwise);
// then every cut point. Failures are results, not errors.
Result<SweepResult> sweep(const Subject& subject, const SweepOptions& options);

// What a scenario must end in, and the two images that may ever boot.
Expectation expectation_for(const Subject& subject, Scenario scenario);

// Runs each of `runs` from the snapshot on `jobs` threads (max_cycles raised by the number
// of cuts); counts and the failing run ids, sorted. `operations` is copied into the result.
SweepResult run_sweep(const Subject& subject, const agent::AgentConfig& config, const Expectation& expect,
                      Scenario scenario, const std::vector<RunSettings>& runs, unsigned jobs);

// Replays one run id against `subject` (cuts, modes and seed from the id) with a trace:
// nullopt when it settles, else the violation and the last flash calls.
std::optional<std::string> replay(const Subject& subject, const flash::RunId& id, bool prefer_full = false);

// Fetches from an in-memory repository (target path -> bytes); `files` must outlive it.
agent::FetchRange fetch_from(const std::map<std::string, Bytes>& files);

// The agent configuration the sweep uses: fetches from `subject.files`; health fails for
// the new image in the rollback scenario.
agent::AgentConfig sweep_agent(const Subject& subject, Scenario scenario, bool prefer_full);

}  // namespace ota::verify
