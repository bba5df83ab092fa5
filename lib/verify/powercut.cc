#include "verify/powercut.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "verify/device_run.h"

namespace ota::verify {
namespace {

Expectation expectation(const Subject& s, Scenario scenario) {
  Expectation e;
  e.ending = scenario == Scenario::update ? Expectation::updated : Expectation::rolled_back;
  e.old_digest = s.old_digest;
  e.new_digest = s.plan.slot_digest;
  return e;
}

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
  const Expectation expect = expectation(subject, options.scenario);

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

  // Every cut point, spread over the workers; each run starts from the snapshot.
  std::atomic<size_t> next{0};
  std::mutex lock;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < kinds.size();) {
      for (auto [mode, seed] : runs_for(kinds[i], options)) {
        flash::MemFlash mem = subject.factory;
        RunSettings settings;
        settings.cuts = {{i + 1, mode}};
        settings.seed = seed;
        DeviceRun run = run_device(mem, subject.layout, config, expect, settings);
        std::lock_guard<std::mutex> g(lock);
        ++result.tried;
        if (!run.violation) {
          ++result.passed;
          continue;
        }
        flash::RunId id{std::string(to_string(options.scenario)), subject.name, subject.layout.geometry.write_size,
                        subject.layout.geometry.erased, seed, settings.cuts};
        result.failures.push_back({std::move(id), *run.violation});
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < std::max(1u, options.jobs); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::sort(result.failures.begin(), result.failures.end(), [](const SweepFailure& a, const SweepFailure& b) {
    return std::tie(a.id.cuts[0].at, a.id.cuts[0].mode, a.id.seed) < std::tie(b.id.cuts[0].at, b.id.cuts[0].mode, b.id.seed);
  });
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
  DeviceRun run = run_device(mem, subject.layout, config, expectation(subject, scenario), settings);
  if (!run.violation) return std::nullopt;
  std::string text = *run.violation + "\nlast flash calls:";
  const size_t from = run.trace.size() > 20 ? run.trace.size() - 20 : 0;
  for (size_t k = from; k < run.trace.size(); ++k) text += "\n  " + flash::to_string(run.trace[k]);
  return text;
}

}  // namespace ota::verify
