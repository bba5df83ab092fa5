// The firmware's health check as an external command (issue 7 §2; docs/agent.md): the
// emulator cannot run the firmware, so a release engineer's command judges it. It gets
// the booted image's payload as a file (mode 0700, in $TMPDIR, removed afterwards) as its
// one argument, stdin from /dev/null, stdout to stderr; exit 0 within the timeout is healthy, any other exit
// is a failed check, and running past the timeout is a hang (its process group is killed).
#pragma once

#include <chrono>
#include <string>

#include "agent/device_agent.h"

namespace ota::agent {

struct HealthCommandResult {
  Health health = Health::fail;
  std::string detail;  // "exit 0 after 0.2 s", "killed after 30 s (timeout)"
};

// Errc::io when the command cannot be started at all (no /bin/sh, no temp file).
Result<HealthCommandResult> run_health_command(const std::string& command, ByteView payload,
                                               std::chrono::milliseconds timeout);

}  // namespace ota::agent
