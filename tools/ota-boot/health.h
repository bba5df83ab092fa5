// The firmware's health check for `ota-boot --health-cmd` (BOOT-SPEC B4: healthy,
// health-fail, hang): a shell command given the booted image's payload, with a watchdog.
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::tools {

enum class Health { ok, fail, hang };
const char* to_string(Health health);

struct HealthRun {
  Health health = Health::ok;
  std::optional<int> exit_code;  // when it exited
  std::optional<int> signal;     // when a signal ended it (not our watchdog)
  bool timed_out = false;        // the watchdog killed it: a hang
};

// Writes `payload` to a file in a new private directory under $TMPDIR (never beside the
// flash), runs `/bin/sh -c COMMAND ota-boot-health PAYLOAD` (so "$1" is the payload's path)
// with stdin from /dev/null and stdout sent to stderr (stdout is the --json document), in
// its own process group, and kills that group after `timeout_s` seconds. Exit 0 in time =
// ok, any other end = fail, timeout = hang. The directory is removed afterwards. Errc::io
// when the file cannot be written or the command cannot be started.
Result<HealthRun> run_health_command(const std::string& command, ByteView payload, double timeout_s);

}  // namespace ota::tools
