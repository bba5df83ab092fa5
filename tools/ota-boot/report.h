// What `ota-boot` prints: the --json document (schemas/ota-boot.schema.json) and the text
// lines on stderr (docs/cli.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "boot/bootloader.h"
#include "image/bcr.h"
#include "image/layout.h"
#include "agent/health_command.h"

namespace ota::tools {

// The health check after a boot and what the firmware did about it.
struct HealthReport {
  std::optional<std::string> command;  // --health-cmd, or the --health value given
  agent::HealthRun run;
  std::string action = "none";         // "confirm", "mark-bad" or "none"
  bool done = false;                   // the action happened (or found nothing to write)
  std::string detail;                  // one line
  std::vector<std::string> writes;
  std::optional<uint32_t> floor_after;  // after a confirm
};

struct BootReport {
  std::string flash;
  const image::Layout* layout = nullptr;
  boot::BootResult boot;
  std::optional<HealthReport> health;  // none when nothing booted
  std::optional<image::BootControl> final_record;
  uint32_t final_floor = 0;
  bool flash_written = false;
};

nlohmann::json to_json(const BootReport& report);
// One line per check and write, the decision, the health check, the file.
std::string describe(const BootReport& report);

}  // namespace ota::tools
