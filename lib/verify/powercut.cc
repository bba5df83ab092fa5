#include "verify/powercut.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "verify/device_run.h"

namespace ota::verify {
namespace {

// The runs for operation `i`: before and after always; the torn mode of its kind with each
// seed; unstable (torn as its kind, cells unstable).
std::vector<std::pair<flash::CutMode, uint64_t>> runs_for(flash::TraceOp op, const SweepOptions& o) {
  std::vector<std::pair<flash::CutMode, uint64_t>> out;
  const flash::CutMode torn = op == flash::TraceOp::erase ? flash::CutMode::torn_erase : flash::CutMode::torn_program;
  for (flash::CutMode m : o.modes) {
    if (m == flash::CutMode::torn_program || m == flash::CutMode::torn_erase) {
      if (m != torn) continue;
      for (uint32_t k = 0; k < o.torn_seeds; ++k) out.push_back({m, o.seed + k});
    } else {
      out.push_back({m, o.seed});
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Scenario scenario) { return scenario == Scenario::update ? "update" : "rollback"; }

Expectation expectation_for(const Subject& s, Scenario scenario) {
  Expectation e;
  e.ending = scenario == Scenario::update ? Expectation::updated : Expectation::rolled_back;
  e.old_digest = s.old_digest;
  e.new_digest = s.plan.slot_digest;
  return e;
}

SweepResult run_sweep(const Subject& subject, const agent::AgentConfig& config, const Expectation& expect,
                      Scenario scenario, const std::vector<RunSettings>& runs, unsigned jobs) {
  SweepResult result;
  std::atomic<size_t> next{0};
  std::mutex lock;
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < runs.size();) {
      flash::MemFlash mem = subject.factory;
      RunSettings settings = runs[k];
      settings.max_cycles += uint32_t(settings.cuts.size());
      DeviceRun run = run_device(mem, subject.layout, config, expect, settings);
      std::lock_guard<std::mutex> g(lock);
      ++result.tried;
      if (!run.violation) {
        ++result.passed;
        continue;
      }
      // The matrix varies the first (internal) device; a second one keeps its own geometry.
      const flash::Device& internal = subject.layout.geometry.devices.front();
      flash::RunId id{std::string(to_string(scenario)), subject.name, internal.write_size, internal.erased,
                      settings.seed, settings.cuts};
      result.failures.push_back({std::move(id), *run.violation});
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < std::max(1u, jobs); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  // Runs finish in any order; the report does not depend on the thread count.
  auto key = [](const SweepFailure& f) {
    return std::tuple(f.id.cuts.empty() ? 0 : f.id.cuts.front().at, f.id.cuts.size(), f.id.seed, flash::to_string(f.id));
  };
  std::sort(result.failures.begin(), result.failures.end(),
            [&](const SweepFailure& a, const SweepFailure& b) { return key(a) < key(b); });
  return result;
}

agent::FetchRange fetch_from(const std::map<std::string, Bytes>& repository) {
  const auto* files = &repository;
  return [files](const agent::Payload& p, uint64_t offset, size_t length) -> Result<Bytes> {
    auto it = files->find(p.name);
    if (it == files->end()) return Error{Errc::not_found, "'" + p.name + "' is not in the repository"};
    const Bytes& b = it->second;
    if (offset > b.size()) return Error{Errc::invalid_argument, "offset past the end of '" + p.name + "'"};
    const size_t n = std::min<size_t>(length, b.size() - offset);
    return Bytes(b.begin() + long(offset), b.begin() + long(offset + n));
  };
}

agent::AgentConfig sweep_agent(const Subject& subject, Scenario scenario, bool prefer_full) {
  agent::AgentConfig config;
  config.plan = &subject.plan;
  config.install.prefer_full = prefer_full;
  config.fetch = fetch_from(subject.files);
  const agent::Sha256 broken = subject.plan.slot_digest;
  const bool rollback = scenario == Scenario::rollback;
  config.health = [broken, rollback](int, const image::ParsedImage& image, ByteView) {
    return rollback && image.sha256 == broken ? agent::Health::fail : agent::Health::ok;
  };
  return config;
}

Result<SweepResult> sweep(const Subject& subject, const SweepOptions& options) {
  const agent::AgentConfig config = sweep_agent(subject, options.scenario, options.prefer_full);
  const Expectation expect = expectation_for(subject, options.scenario);

  // The uncut run: N and the kind of each operation.
  SweepResult result;
  std::vector<flash::TraceOp> kinds;
  {
    flash::MemFlash mem = subject.factory;
    RunSettings settings;
    settings.trace = true;
    DeviceRun ref = run_device(mem, subject.layout, config, expect, settings);
    if (ref.violation)
      return Error{Errc::rejected, "the " + std::string(to_string(options.scenario)) +
                                       " scenario fails without any power cut: " + *ref.violation};
    for (const auto& e : ref.trace)
      if (e.op != flash::TraceOp::read) kinds.push_back(e.op);
    result.operations = kinds.size();
    result.programs = size_t(std::count(kinds.begin(), kinds.end(), flash::TraceOp::program));
    result.erases = result.operations - result.programs;
    for (int s = 0; s < 2; ++s) {
      const image::Region& slot = subject.layout.slot(s);
      for (uint64_t at = slot.offset; at < slot.offset + slot.size;) {
        auto sector = mem.geometry().sector_at(at);
        result.max_slot_sector_erases =
            std::max(result.max_slot_sector_erases, mem.erase_count(sector->index) - subject.factory.erase_count(sector->index));
        at += sector->size;
      }
    }
  }

  // Every cut point, in every mode that applies to it; each run starts from the snapshot.
  std::vector<RunSettings> runs;
  for (size_t i = 0; i < kinds.size(); ++i)
    for (auto [mode, seed] : runs_for(kinds[i], options)) {
      RunSettings settings;
      settings.cuts = {{i + 1, mode}};
      settings.seed = seed;
      runs.push_back(std::move(settings));
    }
  SweepResult swept = run_sweep(subject, config, expect, options.scenario, runs, options.jobs);
  result.tried = swept.tried;
  result.passed = swept.passed;
  result.failures = std::move(swept.failures);
  return result;
}

std::optional<std::string> replay(const Subject& subject, const flash::RunId& id, bool prefer_full) {
  const Scenario scenario = id.scenario == "rollback" ? Scenario::rollback : Scenario::update;
  const agent::AgentConfig config = sweep_agent(subject, scenario, prefer_full);
  flash::MemFlash mem = subject.factory;
  RunSettings settings;
  settings.cuts = id.cuts;
  settings.seed = id.seed;
  settings.trace = true;
  DeviceRun run = run_device(mem, subject.layout, config, expectation_for(subject, scenario), settings);
  if (!run.violation) return std::nullopt;
  std::string text = *run.violation + "\nlast flash calls:";
  const size_t from = run.trace.size() > 20 ? run.trace.size() - 20 : 0;
  for (size_t k = from; k < run.trace.size(); ++k) text += "\n  " + flash::to_string(run.trace[k]);
  return text;
}

}  // namespace ota::verify
