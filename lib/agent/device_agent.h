// The device agent after a reset (BOOT-SPEC §4.5 "Agent", U1-U8; docs/agent.md): runs the
// health check of a trial boot and confirms or marks the slot bad; on a confirmed system,
// installs the assigned update. The bootloader decides every fallback (D4); the agent
// only requests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/installer.h"
#include "boot/bootloader.h"
#include "boot/firmware.h"
#include "image/slot_image.h"

namespace ota::agent {

enum class Health { ok, fail, hang };
std::string_view to_string(Health health);
Result<Health> parse_health(std::string_view text);  // "ok", "fail", "hang"

// The running firmware's health check: which slot, its image and its payload bytes.
using HealthCheck = std::function<Health(int slot, const image::ParsedImage& image, ByteView payload)>;

enum class AgentOutcome {
  recovery,          // nothing booted: nothing to run
  confirmed,         // the trial slot passed its health check and is confirmed
  marked_bad,        // the trial slot failed its health check: the next reset falls back
  hung,              // the trial firmware hung: the watchdog resets, the try is spent
  installed,         // the update is written and PENDING: a reset tries it
  up_to_date,        // the assigned image is running and confirmed
  rolled_back,       // the assigned image was tried and given up (its slot is FAILED)
  refused,           // the update failed a check; the device keeps running what it runs
  nothing_assigned,  // the director assigns nothing to this ECU
};
std::string_view to_string(AgentOutcome outcome);

struct AgentRun {
  AgentOutcome outcome = AgentOutcome::nothing_assigned;
  std::string detail;  // one line
  std::optional<InstallReport> install;
  std::optional<boot::ConfirmResult> confirm;
};

struct AgentConfig {
  const UpdatePlan* plan = nullptr;  // null: nothing assigned
  FetchRange fetch;
  HealthCheck health;
  InstallOptions install;
};

// What the firmware's agent does after `boot`. Errors: flash I/O and power cuts, and an
// install that failed for a reason worth retrying (Errc::io: the link gave out, a
// read-back differed); every refusal is an AgentRun with outcome refused.
Result<AgentRun> run_agent(flash::Flash& flash, const image::Layout& layout, const boot::BootResult& boot,
                           const AgentConfig& config);

}  // namespace ota::agent
