#include "verify/long_sweeps.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "agent/installer.h"
#include "core/splitmix64.h"
#include "image/bcr.h"
#include "verify/device_run.h"

namespace ota::verify {
namespace {

constexpr flash::CutMode kRotation[] = {flash::CutMode::before, flash::CutMode::torn_program, flash::CutMode::after,
                                        flash::CutMode::unstable, flash::CutMode::torn_erase};

// N: the operations of the uncut run.
Result<uint64_t> count_operations(const Subject& subject, const agent::AgentConfig& config, const Expectation& expect) {
  flash::MemFlash mem = subject.factory;
  DeviceRun ref = run_device(mem, subject.layout, config, expect, RunSettings{});
  if (ref.violation) return Error{Errc::rejected, "the scenario fails without any power cut: " + *ref.violation};
  return ref.operations;
}

void count_kinds(const Subject& subject, const agent::AgentConfig& config, const Expectation& expect, SweepResult& r) {
  flash::MemFlash mem = subject.factory;
  run_device(mem, subject.layout, config, expect, RunSettings{});
  r.programs = mem.programs() - subject.factory.programs();
  r.erases = mem.erases() - subject.factory.erases();
}

}  // namespace

Result<SweepResult> sweep_recovery_cuts(const Subject& subject, const LongOptions& options) {
  const agent::AgentConfig config = sweep_agent(subject, options.scenario, false);
  Expectation expect = expectation_for(subject, options.scenario);
  auto n = count_operations(subject, config, expect);
  if (options.scenario == Scenario::update) expect.ending = Expectation::either;
  if (!n) return std::move(n).error();
  std::vector<RunSettings> runs;
  for (uint64_t i = 1; i <= *n; ++i)
    for (bool log : {false, true}) {
      RunSettings r;
      r.seed = i;
      r.cuts.push_back({i, kRotation[i % 5]});
      // Recovery cut ever later until one power-on gets through: up to N operations in.
      for (uint64_t k = 1, step = 1; k <= *n; k = log ? k * 2 : k + 1, ++step)
        r.cuts.push_back({k, kRotation[(i + step) % 5]});
      runs.push_back(std::move(r));
    }
  for (uint64_t seed = 1; seed <= options.random_seeds; ++seed) {
    RunSettings r;
    r.seed = seed;
    uint64_t state = seed;
    for (int k = 0; k < 5; ++k)
      r.cuts.push_back({1 + splitmix64(state) % std::max<uint64_t>(1, *n / 2), kRotation[splitmix64(state) % 5]});
    runs.push_back(std::move(r));
  }
  SweepResult r = run_sweep(subject, config, expect, options.scenario, runs, options.jobs);
  r.operations = *n;
  count_kinds(subject, config, expect, r);
  return r;
}

Result<SweepResult> sweep_double_cuts(const Subject& subject, const LongOptions& options) {
  const agent::AgentConfig config = sweep_agent(subject, options.scenario, false);
  const Expectation expect = expectation_for(subject, options.scenario);
  auto n = count_operations(subject, config, expect);
  if (!n) return std::move(n).error();
  std::vector<RunSettings> runs;
  for (uint64_t i = 1; i <= *n; ++i)
    for (uint64_t j = 1; j <= *n - i + 1; ++j) {  // the recovery never needs more than what was left
      RunSettings r;
      r.seed = i * 1'000'003 + j;
      r.cuts = {{i, flash::CutMode::before}, {j, flash::CutMode::torn_program}};
      runs.push_back(std::move(r));
    }
  SweepResult r = run_sweep(subject, config, expect, options.scenario, runs, options.jobs);
  r.operations = *n;
  count_kinds(subject, config, expect, r);
  return r;
}

std::vector<FaultCheck> fault_checks(const Subject& subject) {
  std::vector<FaultCheck> out;
  const agent::AgentConfig config = sweep_agent(subject, Scenario::update, false);
  Expectation expect;
  expect.old_digest = subject.old_digest;
  expect.new_digest = subject.plan.slot_digest;
  const image::Layout& layout = subject.layout;
  std::vector<flash::FaultRange> bcr_ranges;
  for (const image::Region* r : layout.bcr_copies()) bcr_ranges.push_back({r->offset, r->size, 1.0, 1.0});
  const image::Region& target = layout.slot(1);

  auto installed = [&]() -> Result<flash::MemFlash> {
    flash::MemFlash mem = subject.factory;
    auto b = boot::boot(mem, layout);
    if (!b) return std::move(b).error();
    auto run = agent::run_agent(mem, layout, *b, config);
    if (!run) return std::move(run).error();
    if (run->outcome != agent::AgentOutcome::installed)
      return Error{Errc::rejected, "the install did not complete: " + run->detail};
    return mem;
  };

  {  // BCR writes fail at rate 1.0: the pending slot's trial can never be counted.
    FaultCheck c{"bcr-writes-fail-1.0", false, ""};
    auto mem = installed();
    if (!mem) {
      c.detail = mem.error().message;
    } else {
      flash::FaultyFlash faulty(*mem, *mem, {bcr_ranges, std::nullopt, 1});
      int old_boots = 0;
      std::string problem;
      for (int k = 0; k < 8 && problem.empty(); ++k) {
        auto b = boot::boot(faulty, layout);
        if (!b) problem = b.error().message;
        else if (!b->booted) problem = "RECOVERY: " + b->reason;
        else if (b->image->sha256 == subject.plan.slot_digest) problem = "booted the trial slot without a counted try";
        else ++old_boots;
      }
      // With the faults gone, the same device goes on to the update.
      DeviceRun after = run_device(*mem, layout, config, expect, RunSettings{});
      c.passed = problem.empty() && !after.violation;
      c.detail = problem.empty() ? std::to_string(old_boots) + " resets with every BCR write failing booted the old image; "
                                       "with writes working again the update completed" +
                                       (after.violation ? " - no: " + *after.violation : std::string())
                                 : problem;
    }
    out.push_back(std::move(c));
  }
  {  // ... at rate 0.5, over whole power-cycled runs: the invariants hold, and it settles.
    FaultCheck c{"bcr-writes-fail-0.5", true, ""};
    std::vector<flash::FaultRange> half = bcr_ranges;
    for (auto& r : half) r.program_fail = r.erase_fail = 0.5;
    Expectation either = expect;
    either.ending = Expectation::either;
    uint32_t updated = 0;
    for (uint64_t seed = 1; seed <= 64; ++seed) {
      flash::MemFlash mem = subject.factory;
      RunSettings settings;
      settings.faults = flash::FlashFaults{half, std::nullopt, seed};
      settings.max_cycles = 200;
      DeviceRun run = run_device(mem, layout, config, either, settings);
      if (run.violation) {
        c.passed = false;
        c.detail = "seed " + std::to_string(seed) + ": " + *run.violation;
        break;
      }
      updated += !run.cycles.empty() && run.cycles.back().agent &&
                 run.cycles.back().agent->outcome == agent::AgentOutcome::up_to_date;
    }
    if (c.passed)
      c.detail = "64 runs settled with every invariant held (" + std::to_string(updated) +
                 " updated, the rest rolled back after failed writes spent the trials)";
    out.push_back(std::move(c));
  }
  {  // Erase errors on the target slot: the install fails cleanly, slot A untouched.
    FaultCheck c{"target-erase-fails", false, ""};
    flash::MemFlash mem = subject.factory;
    flash::FaultyFlash faulty(mem, mem, {{{target.offset, target.size, 0, 1.0}}, std::nullopt, 1});
    auto b = boot::boot(faulty, layout);
    auto run = b ? agent::run_agent(faulty, layout, *b, config) : Result<agent::AgentRun>(b.error());
    const image::Region& a = layout.slot(0);
    const bool untouched = std::equal(mem.bytes().begin() + long(a.offset), mem.bytes().begin() + long(a.offset + a.size),
                                      subject.factory.bytes().begin() + long(a.offset));
    auto after = boot::boot(mem, layout);
    const bool old = after && after->booted && after->image->sha256 == subject.old_digest;
    c.passed = !run && run.error().code == Errc::io && untouched && old;
    c.detail = std::string(run ? "the install succeeded" : "install failed: " + run.error().message) +
               (untouched ? "; slot A untouched" : "; slot A CHANGED") + (old ? "; boots the old image" : "; does not boot the old image");
    out.push_back(std::move(c));
  }
  {  // A worn-out target sector (10 000 erases, MCUboot's figure): every install refused,
     // naming it; the old image runs on.
    FaultCheck c{"target-worn-out", false, ""};
    flash::MemFlash mem = subject.factory;
    const size_t worn = layout.geometry.sector_at(target.offset)->index;
    mem.set_erase_count(worn, 10000);
    flash::FaultyFlash faulty(mem, mem, {{}, 10000, 1});
    std::string detail;
    bool ok = true;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto b = boot::boot(faulty, layout);
      auto run = b ? agent::run_agent(faulty, layout, *b, config) : Result<agent::AgentRun>(b.error());
      ok = ok && run && run->outcome == agent::AgentOutcome::refused &&
           run->detail.find("sector " + std::to_string(worn) + " ") != std::string::npos &&
           run->detail.find("worn out") != std::string::npos && b->image->sha256 == subject.old_digest;
      detail = run ? run->detail : run.error().message;
    }
    c.passed = ok;
    c.detail = detail;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace ota::verify
