// ota-verify: the toolchain's proof of a release on an emulated device (docs/cli.md,
// docs/verify.md): `e2e` installs it end to end over a faulty link; `powercut` cuts power
// at every flash operation of the update and of its rollback.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ctime>
#include <thread>

#include "agent/device_file.h"
#include "agent/health_command.h"
#include "boot/flash_file.h"
#include "client/faulty_source.h"
#include "client/http_source.h"
#include "common/cli.h"
#include "common/report.h"
#include "core/hex.h"
#include "io/posix_storage.h"
#include "ota-verify/options.h"
#include "verify/e2e.h"
#include "verify/long_sweeps.h"
#include "verify/synthetic.h"

namespace {

using namespace ota;
using nlohmann::json;
constexpr const char* kTool = "ota-verify";

Result<Bytes> read_all(io::Storage& fs, const std::string& path, const char* what) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error().with_context(what);
  return Bytes((*in)->bytes().begin(), (*in)->bytes().end());
}

std::unique_ptr<client::Source> open_source(io::Storage& fs, const std::string& where,
                                            const std::string& targets_from) {
  if (client::is_url(where)) return std::make_unique<client::HttpSource>(where, targets_from);
  return std::make_unique<client::DirectorySource>(fs, where, targets_from);
}

// The health check of a trial boot: --health, or --health-cmd judging the payload.
agent::HealthCheck health_check(const tools::VerifyOptions& o, std::vector<std::string>& log) {
  if (!o.health_cmd.empty()) {
    return [cmd = o.health_cmd, timeout = o.timeout_seconds, &log](int, const image::ParsedImage& img, ByteView payload) {
      auto r = agent::run_health_command(cmd, payload, timeout);
      if (!r) {
        log.push_back("health command for " + image::to_string(img.version) + " could not run: " + r.error().message);
        return agent::Health::fail;
      }
      log.push_back("health command for " + image::to_string(img.version) + ": " + r->detail() + " -> " +
                    std::string(agent::to_string(r->health)));
      return r->health;
    };
  }
  const agent::Health h = *agent::parse_health(o.health);  // CLI11 checked the choice
  return [h](int, const image::ParsedImage&, ByteView) { return h; };
}

struct Inputs {
  boot::FlashFile flash;
  agent::DeviceIdentity device;
  Bytes director_root, image_root;
};

Result<Inputs> load_inputs(io::Storage& fs, const tools::VerifyOptions& o) {
  std::optional<image::Layout> layout;
  if (!o.layout.empty()) {
    auto l = boot::read_layout_file(fs, o.layout);
    if (!l) return std::move(l).error();
    layout = std::move(*l);
  }
  auto flash = boot::FlashFile::load(fs, o.flash, layout);
  if (!flash) return std::move(flash).error();
  auto device_text = read_all(fs, o.device, "--device");
  if (!device_text) return std::move(device_text).error();
  auto device = agent::parse_device_file(
      std::string_view(reinterpret_cast<const char*>(device_text->data()), device_text->size()), flash->layout());
  if (!device) return std::move(device).error().with_context("'" + o.device + "'");
  auto image_root = read_all(fs, o.trusted_root, "--trusted-root");
  if (!image_root) return std::move(image_root).error();
  // The director's root: --director-root, else the one device.yaml names (beside it).
  std::string director_root_path = o.director_root;
  if (director_root_path.empty() && !device->director_root.empty())
    director_root_path = (std::filesystem::path(o.device).parent_path() / device->director_root).string();
  if (director_root_path.empty())
    return Error{Errc::invalid_argument, "no director root: give --director-root, or director_root in '" + o.device + "'"};
  auto director_root = read_all(fs, director_root_path, "--director-root");
  if (!director_root) return std::move(director_root).error();
  return Inputs{std::move(*flash), std::move(*device), std::move(*director_root), std::move(*image_root)};
}

json e2e_json(const verify::E2eReport& r, const client::FaultSpec& faults, const client::FaultStats& stats,
              const std::vector<std::string>& health_log) {
  json steps = json::array();
  for (const auto& s : r.steps) steps.push_back({{"step", s.step}, {"detail", s.detail}});
  return {{"final_state", r.final_state},
          {"running", {{"slot", r.running_slot ? json(boot::slot_name(*r.running_slot)) : json(nullptr)},
                       {"version", r.running_version}}},
          {"target", r.target},
          {"delivery", r.delivery},
          {"bytes", {{"image", r.image_bytes}, {"payload", r.payload_bytes}, {"downloaded", r.downloaded_bytes}}},
          {"retries", r.retries},
          {"install_attempts", r.install_attempts},
          {"power_cycles", r.power_cycles},
          {"faults", {{"spec", client::to_string(faults)},
                      {"requests", stats.requests},
                      {"dropped", stats.drops},
                      {"stalled", stats.stalls},
                      {"corrupted", stats.corruptions},
                      {"truncated", stats.truncations}}},
          {"health_checks", health_log},
          {"steps", steps}};
}

// e2e: exit 0 when the device ends as --expect says.
int run_e2e(io::Storage& fs, const tools::VerifyOptions& o, bool json_out) {
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto faults = client::parse_fault_spec(o.faults);
  if (!faults) return fail(faults.error());
  auto inputs = load_inputs(fs, o);
  if (!inputs) return fail(inputs.error());
  auto director = open_source(fs, o.director, o.repo);
  auto images = open_source(fs, o.repo, o.repo);
  client::FaultSpec director_faults = *faults;
  director_faults.seed = faults->seed + 1;  // the two links fail independently
  client::FaultySource director_link(*director, director_faults), image_link(*images, *faults);

  std::vector<std::string> health_log;
  verify::E2eRequest req;
  req.director = &director_link;
  req.images = &image_link;
  req.director_root = inputs->director_root;
  req.image_root = inputs->image_root;
  req.device = inputs->device;
  req.health = health_check(o, health_log);
  req.storage = &fs;
  if (!o.state.empty()) req.state_dir = o.state;
  req.now = metadata::Time(std::time(nullptr));
  req.install.prefer_full = o.e2e_full;
  auto report = verify::run_e2e(inputs->flash.flash(), inputs->flash.layout(), req);
  // The device's flash keeps whatever happened to it, failures included.
  auto saved = inputs->flash.save(fs);
  if (!report) return fail(report.error());
  if (!saved) return fail(saved.error());
  client::FaultStats stats = image_link.stats();
  const client::FaultStats& d = director_link.stats();
  stats.requests += d.requests, stats.drops += d.drops, stats.stalls += d.stalls;
  stats.corruptions += d.corruptions, stats.truncations += d.truncations;

  const std::string& end = report->final_state;
  const bool updated = end == "updated";
  const bool ok = o.expect == "any" ? end != "recovery" && end != "gave-up"
                  : o.expect == "rolled-back" ? end == "rolled-back"
                                              : updated;
  json doc = e2e_json(*report, *faults, stats, health_log);
  doc["expect"] = o.expect;
  doc["ok"] = ok;
  if (json_out) std::printf("%s\n", doc.dump(2).c_str());
  for (const auto& s : report->steps) std::fprintf(stderr, "%-8s %s\n", s.step.c_str(), s.detail.c_str());
  for (const auto& h : health_log) std::fprintf(stderr, "health   %s\n", h.c_str());
  std::fprintf(stderr, "%s: %s: slot %s %s; downloaded %llu of %llu bytes (%s), %llu retries, %u power cycles\n",
               kTool, end.c_str(), report->running_slot ? boot::slot_name(*report->running_slot).c_str() : "-",
               report->running_version.c_str(), (unsigned long long)report->downloaded_bytes,
               (unsigned long long)report->image_bytes, report->delivery.empty() ? "nothing" : report->delivery.c_str(),
               (unsigned long long)report->retries, report->power_cycles);
  if (ok) return tools::kExitOk;
  std::fprintf(stderr, "%s: error: the device ended '%s', expected '%s'\n", kTool, end.c_str(), o.expect.c_str());
  return end == "refused" ? tools::kExitRejected : tools::kExitFailure;
}

json sweep_json(const std::string& kind, const std::string& name, verify::Scenario scenario, const verify::SweepResult& r) {
  json failures = json::array();
  for (const auto& f : r.failures) failures.push_back({{"run_id", flash::to_string(f.id)}, {"violation", f.violation}});
  return {{"kind", kind}, {"config", name}, {"scenario", std::string(verify::to_string(scenario))},
          {"operations", r.operations}, {"programs", r.programs}, {"erases", r.erases},
          {"tried", r.tried}, {"passed", r.passed}, {"max_slot_sector_erases", r.max_slot_sector_erases},
          {"failures", failures}};
}

int run_powercut(io::Storage& fs, const tools::VerifyOptions& o, bool json_out) {
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  std::vector<std::pair<std::string, verify::Subject>> subjects;
  if (o.matrix || !o.config.empty()) {
    for (const auto& c : verify::t2_matrix()) {
      const std::string name = verify::to_string(c);
      if (!o.matrix && name != o.config) continue;
      auto s = verify::synthetic_subject(c);
      if (!s) return fail(s.error());
      subjects.emplace_back(name, std::move(*s));
    }
    if (subjects.empty())
      return fail(Error{Errc::invalid_argument, "--config '" + o.config + "' is not in the T2 matrix (e.g. uniform-4k/ws8/ff)"});
  } else {
    auto inputs = load_inputs(fs, o);
    if (!inputs) return fail(inputs.error());
    auto director = open_source(fs, o.director, o.repo);
    auto images = open_source(fs, o.repo, o.repo);
    verify::E2eRequest req;
    req.director = director.get();
    req.images = images.get();
    req.director_root = inputs->director_root;
    req.image_root = inputs->image_root;
    req.device = inputs->device;
    req.storage = &fs;
    req.now = metadata::Time(std::time(nullptr));
    auto update = verify::fetch_update(req);
    if (!update) return fail(update.error());
    if (!*update) return fail(Error{Errc::invalid_argument, "the director assigns nothing to ECU '" + req.device.ecu_serial + "'"});
    auto subject = verify::release_subject(inputs->flash.layout(), inputs->flash.bytes(), std::move(**update));
    if (!subject) return fail(subject.error());
    subjects.emplace_back(inputs->flash.layout().device, std::move(*subject));
  }

  verify::SweepOptions options;
  options.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  options.torn_seeds = o.seeds;
  options.prefer_full = o.full;
  std::vector<verify::Scenario> scenarios;
  if (o.scenario != "rollback") scenarios.push_back(verify::Scenario::update);
  if (o.scenario != "update") scenarios.push_back(verify::Scenario::rollback);

  if (!o.replay.empty()) {
    auto id = flash::parse_run_id(o.replay);
    if (!id) return fail(id.error());
    for (auto& [name, subject] : subjects) {
      if (subject.name != id->layout && subjects.size() > 1) continue;
      auto violation = verify::replay(subject, *id, o.full);
      if (!violation) {
        std::fprintf(stderr, "%s: %s settles with every invariant held\n", kTool, o.replay.c_str());
        if (json_out) std::printf("%s\n", json({{"run_id", o.replay}, {"passed", true}}).dump(2).c_str());
        return tools::kExitOk;
      }
      std::fprintf(stderr, "%s: %s: %s\n", kTool, o.replay.c_str(), violation->c_str());
      if (json_out) std::printf("%s\n", json({{"run_id", o.replay}, {"passed", false}, {"violation", *violation}}).dump(2).c_str());
      return tools::kExitFailure;
    }
  }

  json runs = json::array(), checks = json::array();
  uint64_t tried = 0, passed = 0;
  std::vector<std::string> failed;
  auto record = [&](const char* kind, const std::string& name, verify::Scenario scenario, Result<verify::SweepResult> result)
      -> std::optional<Error> {
    if (!result) return std::move(result).error().with_context(name);
    tried += result->tried;
    passed += result->passed;
    std::fprintf(stderr, "%s %s %s: %llu operations (%llu programs, %llu erases): %llu cut runs, %llu passed\n", kind,
                 name.c_str(), std::string(verify::to_string(scenario)).c_str(), (unsigned long long)result->operations,
                 (unsigned long long)result->programs, (unsigned long long)result->erases,
                 (unsigned long long)result->tried, (unsigned long long)result->passed);
    for (const auto& f : result->failures) {
      failed.push_back(flash::to_string(f.id));
      std::fprintf(stderr, "  FAILED %s: %s\n", flash::to_string(f.id).c_str(), f.violation.c_str());
    }
    runs.push_back(sweep_json(kind, name, scenario, *result));
    return std::nullopt;
  };
  for (const auto& [name, subject] : subjects)
    for (verify::Scenario scenario : scenarios) {
      options.scenario = scenario;
      if (auto e = record("T2", name, scenario, verify::sweep(subject, options))) return fail(*e);
    }
  if (o.long_runs) {
    verify::LongOptions lo;
    lo.jobs = options.jobs;
    for (const auto& [name, subject] : subjects)
      for (verify::Scenario scenario : scenarios) {
        lo.scenario = scenario;
        if (auto e = record("T3", name, scenario, verify::sweep_recovery_cuts(subject, lo))) return fail(*e);
      }
    // T4 is quadratic: on the one --config asked for, else on BOOT-SPEC's small layout (a
    // slot image of 8 sectors with 256-byte pages, about 140 operations).
    std::string t4_name = o.config;
    std::optional<verify::Subject> t4;
    if (o.config.empty()) {
      verify::SyntheticConfig small;
      small.payload_bytes = 28 * 1024;
      auto s = verify::synthetic_subject(small);
      if (!s) return fail(s.error());
      t4 = std::move(*s);
      t4_name = verify::to_string(small) + "/28k";
    }
    const verify::Subject& t4_subject = t4 ? *t4 : subjects.front().second;
    for (verify::Scenario scenario : scenarios) {
      lo.scenario = scenario;
      if (auto e = record("T4", t4_name, scenario, verify::sweep_double_cuts(t4_subject, lo))) return fail(*e);
    }
    for (const auto& [name, subject] : subjects)
      for (const auto& c : verify::fault_checks(subject)) {
        ++tried;
        passed += c.passed;
        if (!c.passed) failed.push_back("T7 " + name + " " + c.name);
        std::fprintf(stderr, "T7 %s %s: %s: %s\n", name.c_str(), c.name.c_str(), c.passed ? "passed" : "FAILED", c.detail.c_str());
        checks.push_back({{"config", name}, {"check", c.name}, {"passed", c.passed}, {"detail", c.detail}});
      }
  }
  if (json_out)
    std::printf("%s\n", json({{"tried", tried}, {"passed", passed}, {"failed", tried - passed}, {"sweeps", runs},
                              {"fault_checks", checks}}).dump(2).c_str());
  std::fprintf(stderr, "%s: power cut at every flash operation: %llu tried, %llu passed\n", kTool,
               (unsigned long long)tried, (unsigned long long)passed);
  if (passed == tried) return tools::kExitOk;
  std::fprintf(stderr, "%s: error: %llu cut runs broke an invariant; replay one with --replay '%s'\n", kTool,
               (unsigned long long)(tried - passed), failed.front().c_str());
  return tools::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-verify: prove a release on an emulated device: end to end over a faulty link, and under a power cut at every flash operation"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Examples:\n"
      "  ota-verify e2e --flash factory.img --device device.yaml --repo repo/image --director repo/director/VIN1 \\\n"
      "      --trusted-root image-root.json --director-root director-root.json --faults seed=7,drop=0.1,corrupt=0.05\n"
      "  ota-verify powercut --matrix --json\n"
      "  ota-verify powercut --flash factory.img --device device.yaml --repo ... --director ... \\\n"
      "      --trusted-root ... --director-root ...\n"
      "Exit codes: 0 as expected, 1 the device ended otherwise (or a cut run broke an invariant), 2 usage,\n"
      "3 the update was refused by a check, 4 file error. See docs/cli.md.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  app.require_subcommand(1);
  app.fallthrough();
  tools::VerifyOptions o;
  auto* e2e = tools::add_e2e_command(app, o);
  auto* powercut = tools::add_powercut_command(app, o);
  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;
  io::PosixStorage fs;
  if (*e2e) return run_e2e(fs, o, json_out);
  (void)powercut;
  return run_powercut(fs, o, json_out);
}
