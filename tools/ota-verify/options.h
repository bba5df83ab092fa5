// ota-verify's command line (docs/cli.md): the options of `e2e` and `powercut`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace ota::tools {

struct VerifyOptions {
  // The device and the release (e2e; powercut of a real release).
  std::string flash, layout, device, repo, director, trusted_root, director_root, state;
  // e2e
  bool e2e_full = false;
  std::string faults = "none", health = "ok", health_cmd, expect = "updated";
  double timeout_seconds = 30;
  // powercut
  bool matrix = false, full = false, long_runs = false;
  std::string config, scenario = "both", replay;
  unsigned jobs = 0;
  uint32_t seeds = 3;
};

CLI::App* add_e2e_command(CLI::App& app, VerifyOptions& o);
CLI::App* add_powercut_command(CLI::App& app, VerifyOptions& o);

}  // namespace ota::tools
