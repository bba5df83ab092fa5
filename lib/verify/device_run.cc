#include "verify/device_run.h"

#include <memory>

#include "core/hex.h"
#include "flash/cutting_flash.h"
#include "image/bcr.h"
#include "image/rot.h"

namespace ota::verify {
namespace {

bool bootable_state(image::SlotState s) {
  return s == image::SlotState::confirmed || s == image::SlotState::pending || s == image::SlotState::trial;
}

// The invariants that hold between power cycles, read from the device itself.
class Invariants {
 public:
  Invariants(flash::MemFlash& mem, const image::Layout& layout, const Expectation& expect)
      : mem_(mem), layout_(layout), expect_(expect) {}

  std::optional<std::string> before_boot() {
    image::BcrStore store(mem_, layout_);
    auto loaded = store.load();
    if (!loaded) return "no valid boot-control record copy (" + loaded.error().message + ")";
    record_ = loaded->record;
    return floor_check();
  }

  std::optional<std::string> after_boot(const boot::BootResult& b) {
    if (!b.booted || !b.image) return "RECOVERY: " + b.reason;
    const int s = *b.booted;
    const image::SlotState state = record_->slot[size_t(s)].state;
    if (!bootable_state(state) || record_->slot[size_t(s)].priority == 0)
      return "booted slot " + boot::slot_name(s) + " while the record had it " + std::string(image::to_string(state));
    if (b.image->sha256 != expect_.old_digest && b.image->sha256 != expect_.new_digest)
      return "booted slot " + boot::slot_name(s) + " with an image that is neither the old nor the new one";
    return floor_check();
  }

  std::optional<std::string> floor_check() {
    auto rot = image::read_rot(mem_, layout_);
    if (!rot) return "the root of trust does not read: " + rot.error().message;
    if (rot->counter < floor_) return "the anti-rollback floor went down from " + std::to_string(floor_) + " to " +
                                      std::to_string(rot->counter);
    floor_ = rot->counter;
    image::BcrStore store(mem_, layout_);
    auto loaded = store.load();
    if (!loaded) return "no valid boot-control record copy (" + loaded.error().message + ")";
    for (const auto& slot : loaded->record.slot)
      if (bootable_state(slot.state) && slot.priority > 0 && slot.sec_cnt < floor_)
        return "the floor " + std::to_string(floor_) + " is above a bootable slot's SEC_CNT " + std::to_string(slot.sec_cnt);
    return std::nullopt;
  }

  std::optional<std::string> settled(const boot::BootResult& b, const agent::AgentRun& run) {
    if (run.outcome != agent::AgentOutcome::up_to_date && run.outcome != agent::AgentOutcome::rolled_back)
      return std::nullopt;  // not there yet
    const bool updated = run.outcome == agent::AgentOutcome::up_to_date;
    if (expect_.ending != Expectation::either && updated != (expect_.ending == Expectation::updated))
      return std::nullopt;  // keeps going until max_cycles: a wrong ending never settles
    image::BcrStore store(mem_, layout_);
    auto loaded = store.load();
    if (!loaded) return "no valid boot-control record copy at the end";
    const auto& r = loaded->record;
    if (r.pending_slot != image::kNoSlot || r.active_slot != *b.booted ||
        r.slot[size_t(*b.booted)].state != image::SlotState::confirmed)
      return "ended with the record not NORMAL (active " + std::to_string(r.active_slot) + ", pending " +
             std::to_string(r.pending_slot) + ")";
    if (b.image->sha256 != (updated ? expect_.new_digest : expect_.old_digest))
      return std::string("ended on the ") + (updated ? "old" : "new") + " image";
    return std::string();  // settled, and right
  }

 private:
  flash::MemFlash& mem_;
  const image::Layout& layout_;
  const Expectation& expect_;
  std::optional<image::BootControl> record_;
  uint32_t floor_ = 0;
};

}  // namespace

DeviceRun run_device(flash::MemFlash& mem, const image::Layout& layout, const agent::AgentConfig& config,
                     const Expectation& expect, const RunSettings& settings) {
  DeviceRun run;
  Invariants inv(mem, layout, expect);
  size_t next_cut = 0;
  std::unique_ptr<flash::CuttingFlash> cutter;
  auto arm = [&] {
    cutter.reset();
    if (next_cut < settings.cuts.size())
      cutter = std::make_unique<flash::CuttingFlash>(mem, settings.cuts[next_cut].at, settings.cuts[next_cut].mode,
                                                     settings.seed + next_cut);
  };
  arm();
  const uint64_t start_ops = mem.programs() + mem.erases();
  auto fail = [&](std::string why) {
    run.violation = std::move(why);
    run.operations = mem.programs() + mem.erases() - start_ops;
    return run;
  };
  if (auto v = inv.before_boot()) return fail("before the first boot: " + *v);

  for (uint32_t n = 1; n <= settings.max_cycles; ++n) {
    flash::Flash* f = cutter ? static_cast<flash::Flash*>(cutter.get()) : &mem;
    std::optional<flash::FaultyFlash> faulty;
    if (settings.faults) {  // a fresh draw sequence each power-on, reproducible from the seed
      flash::FlashFaults faults = *settings.faults;
      faults.seed += n;
      f = &faulty.emplace(*f, mem, std::move(faults));
    }
    std::optional<flash::TracingFlash> tracer;
    if (settings.trace) f = &tracer.emplace(*f, mem);
    Cycle cycle;
    auto lost_power = [&] { return cutter && cutter->cut(); };
    auto finish_cycle = [&] {
      if (tracer) run.trace.insert(run.trace.end(), tracer->entries().begin(), tracer->entries().end());
      run.cycles.push_back(std::move(cycle));
    };
    if (auto v = inv.before_boot()) return fail("power-on " + std::to_string(n) + ": " + *v);

    auto booted = boot::boot(*f, layout);
    if (!booted || lost_power()) {
      if (!lost_power()) return fail("power-on " + std::to_string(n) + ": the bootloader failed: " + booted.error().message);
      cycle.interruption = "power cut during boot";
      finish_cycle();
      ++next_cut;
      arm();
      continue;
    }
    cycle.boot = *booted;
    if (auto v = inv.after_boot(*booted)) return fail("power-on " + std::to_string(n) + ": " + *v);

    auto agent_run = agent::run_agent(*f, layout, *booted, config);
    if (lost_power()) {
      cycle.interruption = "power cut during the agent";
      finish_cycle();
      ++next_cut;
      arm();
      continue;
    }
    if (!agent_run) {
      if (agent_run.error().code != Errc::io)
        return fail("power-on " + std::to_string(n) + ": the agent failed: " + agent_run.error().message);
      cycle.interruption = agent_run.error().message;  // worth retrying: the next power-on resumes
      finish_cycle();
      continue;
    }
    const agent::AgentRun result = *agent_run;
    cycle.agent = result;
    finish_cycle();
    if (result.outcome == agent::AgentOutcome::refused || result.outcome == agent::AgentOutcome::recovery)
      return fail("power-on " + std::to_string(n) + ": the agent " + std::string(agent::to_string(result.outcome)) + ": " +
                  result.detail);
    if (auto v = inv.floor_check()) return fail("power-on " + std::to_string(n) + ": " + *v);
    if (auto end = inv.settled(*booted, result)) {
      if (!end->empty()) return fail("power-on " + std::to_string(n) + ": " + *end);
      run.operations = mem.programs() + mem.erases() - start_ops;
      return run;
    }
  }
  return fail("did not settle within " + std::to_string(settings.max_cycles) + " power-ons");
}

}  // namespace ota::verify
