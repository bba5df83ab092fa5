// ota-boot: one reset of the emulated secure bootloader on a flash image file, then the
// firmware's health check and its confirm or mark-bad (docs/boot.md, docs/cli.md).
#include <CLI/CLI.hpp>

#include "boot/bootloader.h"
#include "boot/firmware.h"
#include "boot/flash_file.h"
#include "common/cli.h"
#include "common/report.h"
#include "image/bcr.h"
#include "image/rot.h"
#include "io/posix_storage.h"
#include "ota-boot/report.h"

namespace {

using namespace ota;
constexpr const char* kTool = "ota-boot";

// The health check's verdict, then what the firmware's agent does with it (BOOT-SPEC §4.5):
// ok confirms a slot under trial; fail marks it bad at once; hang writes nothing, because
// the trial the bootloader counted before the jump is the failed try (B2).
Result<tools::HealthReport> after_boot(boot::FlashFile& file, const boot::BootResult& booted, const std::string& health,
                                       const std::string& command, double timeout_s) {
  tools::HealthReport h;
  const int slot = *booted.booted;
  if (!command.empty()) {
    const image::Region& region = file.layout().slot(slot);
    const ByteView payload = ByteView(file.bytes()).subspan(region.offset + booted.image->header_size, booted.image->image_size);
    auto run = agent::run_health_command(command, payload, timeout_s);
    if (!run) return std::move(run).error();
    h.command = command;
    h.run = *run;
  } else {
    h.run.health = health == "fail" ? agent::Health::fail : health == "hang" ? agent::Health::hang : agent::Health::ok;
  }
  const bool on_trial = booted.path == boot::BootPath::trial || booted.path == boot::BootPath::scan;
  switch (h.run.health) {
    case agent::Health::ok: {
      if (!on_trial) {
        h.detail = "slot " + boot::slot_name(slot) + " is not under trial: nothing to confirm";
        break;
      }
      h.action = "confirm";
      auto c = boot::confirm(file.flash(), file.layout(), slot);
      if (!c) {
        if (c.error().code != Errc::rejected) return std::move(c).error();
        h.detail = "not confirmed: " + c.error().message;
        break;
      }
      h.done = true;
      h.detail = c->detail;
      h.writes = c->writes;
      h.floor_after = c->floor_after;
      break;
    }
    case agent::Health::fail: {
      h.action = "mark-bad";
      auto m = boot::mark_bad(file.flash(), file.layout(), slot);
      if (!m) {
        if (m.error().code != Errc::rejected) return std::move(m).error();
        h.detail = "not marked bad: " + m.error().message;
        break;
      }
      h.done = true;
      h.detail = "slot " + boot::slot_name(slot) + " marked bad: the next boot falls back";
      auto rec = image::BcrStore(file.flash(), file.layout()).load();
      h.writes.push_back("boot-control record" + (rec ? " seq " + std::to_string(rec->record.seq) : std::string()) + ": slot " +
                         boot::slot_name(slot) + " FAILED (marked-bad)");
      break;
    }
    case agent::Health::hang:
      h.detail = h.run.timed_out ? "no answer within the timeout: the watchdog resets, the counted trial is the failed try"
                                 : "the watchdog resets: the counted trial is the failed try";
      break;
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-boot: one reset of the emulated secure bootloader on a flash image, then the firmware's health check"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Examples:\n"
      "  ota-boot --flash factory.img --json\n"
      "  ota-boot --flash factory.img --health-cmd './selftest \"$1\"' --timeout 10\n"
      "Exit codes: 0 a slot booted (whatever the health check said), 1 malformed flash image,\n"
      "2 usage or invalid layout, 3 flash map differs from --layout, 4 file error, 6 RECOVERY\n"
      "(nothing bootable). See docs/cli.md and docs/boot.md.");
  std::string flash_path, layout_path, health = "ok", command;
  double timeout_s = 30;
  bool json_out = false;
  app.add_option("--flash", flash_path, "the flash image file (as `ota-image build` writes it); updated in place")->required();
  app.add_option("--layout", layout_path, "boot only a flash whose embedded flash map is this layout (L6)");
  auto* h = app.add_option("--health", health, "the firmware's health check result: ok (confirm), fail (mark bad), hang (no write)")
                ->check(CLI::IsMember({"ok", "fail", "hang"}))
                ->capture_default_str();
  app.add_option("--health-cmd", command, "run this shell command as the health check; \"$1\" is the payload's path")->excludes(h);
  app.add_option("--timeout", timeout_s, "seconds before --health-cmd counts as a hang")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;

  io::PosixStorage fs;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  std::optional<image::Layout> layout;
  if (!layout_path.empty()) {
    auto l = boot::read_layout_file(fs, layout_path);
    if (!l) return fail(l.error());
    layout = std::move(*l);
  }
  auto file = boot::FlashFile::load(fs, flash_path, layout);
  if (!file) return fail(file.error().code == Errc::rejected ? std::move(file).error().with_context("--layout '" + layout_path + "'")
                                                            : file.error());
  auto booted = boot::boot(file->flash(), file->layout());
  if (!booted) return fail(booted.error());

  tools::BootReport report{flash_path, &file->layout(), std::move(*booted)};
  if (report.boot.booted) {
    auto after = after_boot(*file, report.boot, health, command, timeout_s);
    if (!after) {
      (void)file->save(fs);  // what the bootloader wrote happened; keep it
      return fail(after.error());
    }
    report.health = std::move(*after);
  }
  auto saved = file->save(fs);
  if (!saved) return fail(saved.error());
  report.flash_written = *saved;
  if (auto rec = image::BcrStore(file->flash(), file->layout()).load()) report.final_record = rec->record;
  if (auto rot = image::read_rot(file->flash(), file->layout())) report.final_floor = rot->counter;

  const int code = tools::succeed(json_out, tools::to_json(report), tools::describe(report));
  return code == tools::kExitOk && !report.boot.booted ? tools::kExitRecovery : code;
}
