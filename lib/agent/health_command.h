// The firmware's health check as an external command (BOOT-SPEC B4: healthy, health-fail,
// hang; docs/agent.md): the emulator cannot run the firmware, so a release engineer's
// command judges it. Shared by `ota-boot --health-cmd` and `ota-verify e2e --health-cmd`.
#pragma once

#include <optional>
#include <string>

#include "agent/device_agent.h"
#include "core/bytes.h"
#include "core/result.h"

namespace ota::agent {

struct HealthRun {
  Health health = Health::ok;
  std::optional<int> exit_code;  // when it exited
  std::optional<int> signal;     // when a signal ended it (not our watchdog)
  bool timed_out = false;        // the watchdog killed it: a hang
  double seconds = 0;            // how long it ran
  std::string detail() const;    // "exit 1 after 0.2 s", "killed after 30.0 s (timeout)"
};

// Writes `payload` to a file (mode 0700, so a command may run it) in a new private
// directory under $TMPDIR (never beside the flash), runs `/bin/sh -c COMMAND ota-health
// PAYLOAD` (so "$1" is the payload's path) with stdin from /dev/null and stdout sent to
// stderr (stdout is the --json document), in its own process group, and kills that group
// after `timeout_s` seconds. Exit 0 in time = ok, any other end = fail, timeout = hang.
// The directory is removed afterwards. Errc::io when the file cannot be written or the
// command cannot be started.
Result<HealthRun> run_health_command(const std::string& command, ByteView payload, double timeout_s);

}  // namespace ota::agent
