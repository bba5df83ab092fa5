#include "agent/device_agent.h"

#include "core/hex.h"
#include "image/bcr.h"
#include "image/device_trust.h"

namespace ota::agent {

std::string_view to_string(Health health) {
  switch (health) {
    case Health::ok: return "ok";
    case Health::fail: return "fail";
    case Health::hang: return "hang";
  }
  return "?";
}

Result<Health> parse_health(std::string_view text) {
  if (text == "ok") return Health::ok;
  if (text == "fail") return Health::fail;
  if (text == "hang") return Health::hang;
  return Error{Errc::invalid_argument, "health '" + std::string(text) + "' is not ok, fail or hang"};
}

std::string_view to_string(AgentOutcome outcome) {
  switch (outcome) {
    case AgentOutcome::recovery: return "recovery";
    case AgentOutcome::confirmed: return "confirmed";
    case AgentOutcome::marked_bad: return "marked-bad";
    case AgentOutcome::hung: return "hung";
    case AgentOutcome::installed: return "installed";
    case AgentOutcome::up_to_date: return "up-to-date";
    case AgentOutcome::rolled_back: return "rolled-back";
    case AgentOutcome::refused: return "refused";
    case AgentOutcome::nothing_assigned: return "nothing-assigned";
  }
  return "?";
}

Result<AgentRun> run_agent(flash::Flash& flash, const image::Layout& layout, const boot::BootResult& booted,
                           const AgentConfig& config) {
  AgentRun run;
  if (!booted.booted || !booted.image) {
    run.outcome = AgentOutcome::recovery;
    run.detail = "nothing booted: " + booted.reason;
    return run;
  }
  const int slot = *booted.booted;
  const image::ParsedImage& running = *booted.image;
  image::BcrStore store(flash, layout);
  auto loaded = store.load();
  if (!loaded) return std::move(loaded).error().with_context("the agent reading the boot-control record");
  const image::BootControl& bcr = loaded->record;

  // A trial boot: the health check decides (BOOT-SPEC §4.5 "Agent").
  if (bcr.pending_slot == slot) {
    const image::Region& region = layout.slot(slot);
    Bytes payload(running.image_size, 0);
    OTA_TRY(flash.read(region.offset + running.header_size, payload));
    const Health health = config.health ? config.health(slot, running, payload) : Health::ok;
    const std::string what = "slot " + boot::slot_name(slot) + " (" + image::to_string(running.version) + ")";
    if (health == Health::ok) {
      auto confirmed = boot::confirm(flash, layout, slot);
      if (!confirmed) return std::move(confirmed).error().with_context("confirming " + what);
      run.outcome = AgentOutcome::confirmed;
      run.detail = what + " passed its health check and is confirmed; anti-rollback counter " +
                   std::to_string(confirmed->floor_before) + " -> " + std::to_string(confirmed->floor_after);
      run.confirm = std::move(*confirmed);
    } else if (health == Health::fail) {
      OTA_TRY(boot::mark_bad(flash, layout, slot));
      run.outcome = AgentOutcome::marked_bad;
      run.detail = what + " failed its health check and is marked bad; the next reset falls back";
    } else {
      run.outcome = AgentOutcome::hung;
      run.detail = what + " hung; the watchdog resets it (trial " + std::to_string(booted.trial) + " of " +
                   std::to_string(booted.tries) + " spent)";
    }
    return run;
  }

  // The bootloader could not count a trial of the pending slot (its BCR write failed) and
  // booted this one instead: the update waits in its slot; the next reset tries it.
  if (bcr.pending_slot != image::kNoSlot) {
    run.outcome = AgentOutcome::installed;
    run.detail = "slot " + boot::slot_name(bcr.pending_slot) + " is " +
                 std::string(image::to_string(bcr.slot[bcr.pending_slot].state)) +
                 " but slot " + boot::slot_name(slot) + " booted (its trial could not be counted); a reset tries it again";
    return run;
  }
  if (!config.plan) {
    run.outcome = AgentOutcome::nothing_assigned;
    run.detail = "the director assigns nothing to this ECU";
    return run;
  }
  const UpdatePlan& plan = *config.plan;
  if (running.sha256 == plan.slot_digest) {
    run.outcome = AgentOutcome::up_to_date;
    run.detail = "running " + plan.target + " " + image::to_string(running.version) + " from slot " + boot::slot_name(slot);
    return run;
  }
  // Tried before and given up: a failed update is not retried by itself.
  const image::SlotRecord& other = bcr.slot[size_t(1 - slot)];
  if (other.state == image::SlotState::failed && other.digest32 == load_le32(plan.slot_digest.data())) {
    run.outcome = AgentOutcome::rolled_back;
    run.detail = plan.target + " " + plan.slot_version + " was rolled back (slot " + boot::slot_name(1 - slot) + " " +
                 std::string(image::to_string(other.reason)) + "); running " + image::to_string(running.version);
    return run;
  }
  auto installed = install(flash, layout, plan, config.fetch, config.install);
  if (!installed) {
    // A worn-out sector (Errc::no_space) fails every install the same way: say so, and
    // keep running what runs, as for any refusal.
    if (installed.error().code != Errc::rejected && installed.error().code != Errc::no_space)
      return std::move(installed).error();
    run.outcome = AgentOutcome::refused;
    run.detail = installed.error().message;
    return run;
  }
  run.outcome = AgentOutcome::installed;
  run.detail = plan.target + " " + plan.slot_version + " installed in slot " + boot::slot_name(installed->slot) +
               " (" + std::string(to_string(installed->delivery)) + "), PENDING";
  run.install = std::move(*installed);
  return run;
}

}  // namespace ota::agent
