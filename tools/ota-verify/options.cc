#include "ota-verify/options.h"

namespace ota::tools {
namespace {

// What both commands read to stand up the device and its repositories.
void add_device_options(CLI::App* cmd, VerifyOptions& o, bool required) {
  auto req = [&](CLI::Option* opt) { return required ? opt->required() : opt; };
  req(cmd->add_option("--flash", o.flash, "the device's flash image (ota-image build); e2e writes its new state back"));
  cmd->add_option("--layout", o.layout, "check the flash against this layout YAML (else its embedded flash map)");
  req(cmd->add_option("--device", o.device, "device.yaml: vin, ecu_serial[, hardware_id] (schemas/device.schema.json)"));
  req(cmd->add_option("--repo", o.repo, "the image repository: a directory or an http(s):// URL"));
  req(cmd->add_option("--director", o.director, "this vehicle's director repository: a directory or a URL"));
  req(cmd->add_option("--trusted-root", o.trusted_root, "the image repository's root.json the device trusts"));
  cmd->add_option("--director-root", o.director_root,
                  "the director's root.json the device trusts (default: director_root in the device file)");
}

}  // namespace

CLI::App* add_e2e_command(CLI::App& app, VerifyOptions& o) {
  auto* cmd = app.add_subcommand("e2e", "install the release on an emulated device end to end: metadata, download, "
                                        "install, reboot, trial boot, health check, confirm or roll back");
  add_device_options(cmd, o, true);
  cmd->add_option("--faults", o.faults,
                  "make the link bad, reproducibly: seed=N,drop=P,stall=P,corrupt=P,truncate=P[,max=N], or none");
  cmd->add_option("--health", o.health, "the new firmware's health check result")
      ->check(CLI::IsMember({"ok", "fail", "hang"}));
  cmd->add_option("--health-cmd", o.health_cmd,
                  "judge the new firmware with this shell command; \"$1\" is the image payload's path (exit 0 = healthy)")
      ->excludes(cmd->get_option("--health"));
  cmd->add_option("--timeout", o.timeout_seconds, "seconds --health-cmd may run before it counts as a hang")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_flag("--full", o.e2e_full, "download the full image even when a patch for the installed version exists");
  cmd->add_option("--state", o.state, "keep the device's trusted metadata here between runs (rollback and freeze checks)");
  cmd->add_option("--expect", o.expect, "the ending that exits 0: updated (default), rolled-back, or any settled state")
      ->check(CLI::IsMember({"updated", "rolled-back", "any"}));
  return cmd;
}

CLI::App* add_powercut_command(CLI::App& app, VerifyOptions& o) {
  auto* cmd = app.add_subcommand("powercut", "cut power at every flash operation of an update and of its rollback, in "
                                             "every cut mode, and check that the device always recovers");
  add_device_options(cmd, o, false);
  auto* matrix = cmd->add_flag("--matrix", o.matrix, "sweep the built-in T2 matrix (3 layouts x write sizes 1/4/8/16 x erased 0xff/0x00)");
  cmd->add_option("--config", o.config, "one configuration of the matrix, e.g. uniform-4k/ws8/ff")->excludes(matrix);
  cmd->add_option("--scenario", o.scenario, "update, rollback or both")->check(CLI::IsMember({"update", "rollback", "both"}));
  cmd->add_option("--jobs", o.jobs, "worker threads (default: the machine's cores)");
  cmd->add_option("--seeds", o.seeds, "torn-write runs per operation, each with its own seed")->check(CLI::Range(1, 64));
  cmd->add_flag("--full", o.full, "sweep the full-image install instead of the patch");
  cmd->add_option("--replay", o.replay, "run one printed run id again, with a flash trace");
  cmd->add_flag("--long", o.long_runs,
                "also cuts during recovery (T3: linear, log, 1000 x random(5)), every ordered pair of cuts (T4: on the "
                "--config given, else on a small layout), and flash that fails writes or wears out (T7): minutes to hours");
  return cmd;
}

}  // namespace ota::tools
