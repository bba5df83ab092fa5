// ota-manifest: TUF image repositories — init from repo.yaml, add targets with their
// deltas, publish, renew the timestamp, and verify a repository as a client would
// (docs/repository.md, docs/cli.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "client/http_source.h"
#include "client/updater.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/pin.h"
#include "common/report.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "io/posix_storage.h"
#include "io/write_atomic.h"
#include "repository/batch_files.h"
#include "repository/director.h"
#include "repository/repository.h"
#include "signer/audited_signer.h"

namespace {

constexpr const char* kTool = "ota-manifest";
using ota::Error;
using ota::Errc;
using nlohmann::json;
namespace fs = std::filesystem;

int usage(const std::string& message, bool j) {
  return ota::tools::fail(kTool, Error{Errc::invalid_argument, message + "; see 'ota-manifest --help'"}, j);
}

ota::Result<std::string> read_text(ota::io::Storage& fs, const std::string& path) {
  auto file = fs.open_input(path);
  if (!file) return std::move(file).error();
  return std::string(reinterpret_cast<const char*>((*file)->bytes().data()), (*file)->bytes().size());
}

// repo.yaml, its relative file: paths resolved against its directory.
ota::Result<ota::repository::Config> read_config(ota::io::Storage& fs, const std::string& path) {
  auto text = read_text(fs, path);
  if (!text) return std::move(text).error();
  auto config = ota::repository::parse_config(*text, fs::path(path).parent_path());
  if (!config) return std::move(config).error().with_context("'" + path + "'");
  return config;
}

json versions_json(const ota::repository::RoleVersions& v) {
  return {{"root", v.root}, {"targets", v.targets}, {"snapshot", v.snapshot}, {"timestamp", v.timestamp},
          {"timestamp_expires", ota::metadata::format_time(v.timestamp_expires)}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-manifest: TUF/Uptane metadata for firmware repositories"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Examples:\n"
      "  ota-manifest init --config repo.yaml --repo repo/\n"
      "  ota-manifest add --repo repo/ --file fw-2.4.0.bin --name tcu/fw-2.4.0.bin --version 2.4.0 \\\n"
      "                   --hardware-id tcu-revA --delta 2.3.0=2.3.0-2.4.0.patch --priority security\n"
      "  ota-manifest publish --repo repo/\n"
      "  ota-manifest verify --repo repo/ --trusted-root repo/metadata/1.root.json --target tcu/fw-2.4.0.bin\n"
      "Exit codes: 0 ok, 1 bad data, 2 usage, 3 rejected (signature, version, expiry, hash), 4 file\n"
      "error, 5 HSM error. Keys: see ota-keys --help; SOURCE_DATE_EPOCH fixes the clock.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  std::string module, audit_log;
  app.add_option("--module", module, "PKCS#11 module to load instead of p11-kit's registered ones");
  app.add_option("--audit-log", audit_log, "record every signature here (default: $OTA_AUDIT_LOG)");
  app.require_subcommand(1);
  app.fallthrough();

  std::string repo, config_path;
  auto* init = app.add_subcommand("init", "create a repository: root v1 and empty targets, snapshot, timestamp");
  init->add_option("--config", config_path, "repo.yaml: role keys, thresholds, expiry (schemas/repo-config.schema.json)")
      ->required();
  init->add_option("--repo", repo, "the repository directory to create")->required();

  ota::repository::AddRequest add_req;
  std::vector<std::string> delta_args;
  std::string file_arg;
  auto* add = app.add_subcommand("add", "stage a firmware image (and its deltas) for the next publish");
  std::string release_path;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  add->add_option("--repo", repo, "the repository")->required();
  add->add_option("--release", release_path,
                  "stage every target a release file lists (schemas/manifest-release.schema.json) instead of one");
  add->add_option("--file", file_arg, "the firmware image");
  add->add_option("--name", add_req.name, "target path in the repository (e.g. tcu/fw-2.4.0.bin)");
  add->add_option("--version", add_req.version, "firmware version");
  add->add_option("--hardware-id", add_req.hardware_ids, "hardware id it runs on (repeatable)");
  add->add_option("--jobs", jobs, "threads that read, hash and copy targets (default: the number of cores)")
      ->check(CLI::Range(1u, 256u));
  add->add_option("--delta", delta_args, "FROM_VERSION=PATCH: a delta from an installed version (repeatable)");
  add->add_option("--priority", add_req.priority, "security, bugfix or feature")->capture_default_str();
  add->add_option("--chunk-size", add_req.chunk_size, "bytes per resumable-download chunk hash")->capture_default_str();
  add->add_option("--release-counter", add_req.release_counter,
                  "Uptane release counter: ECUs refuse an image with a lower one")->capture_default_str();
  add->add_option("--role", add_req.role, "the targets role that lists it: targets, or a delegated role")
      ->capture_default_str();

  ota::repository::DelegationConfig delegation;
  delegation.keys.threshold = 1;
  delegation.keys.expires_days = 90;
  auto* delegate = app.add_subcommand("delegate", "delegate target paths to a supplier's role and keys");
  delegate->add_option("--repo", repo, "the repository")->required();
  delegate->add_option("--role", delegation.name, "the delegated role's name")->required();
  delegate->add_option("--paths", delegation.paths, "glob patterns it may sign ('*' stays within a directory)")
      ->required();
  delegate->add_option("--key", delegation.keys.keys, "its key references (repeatable)")->required();
  delegate->add_option("--threshold", delegation.keys.threshold, "signatures required")->capture_default_str();
  delegate->add_option("--expires-days", delegation.keys.expires_days, "expiry of its metadata")->capture_default_str();
  delegate->add_flag("--terminating", delegation.terminating,
                     "a matching path is searched in this role only, never in later delegations");
  delegate->footer("Example:\n  ota-manifest delegate --repo repo/ --role supplier-a --paths 'ecu-a/*' \\\n"
                   "    --key 'pkcs11:token=supplier-a;object=targets-1' --terminating");

  auto* publish = app.add_subcommand("publish", "sign staged targets, a snapshot and a timestamp");
  publish->add_option("--repo", repo, "the repository")->required();
  auto* timestamp = app.add_subcommand("timestamp", "renew only the timestamp (the online role)");
  timestamp->add_option("--repo", repo, "the repository")->required();

  ota::repository::DirectorRequest director_req;
  std::vector<std::string> ecu_args;
  std::string image_repo, image_root;
  std::string fleet_path, fleet_dir, director_config;
  auto* director = app.add_subcommand("director", "Uptane director: assign each ECU of a vehicle its image");
  director->add_option("--repo", repo, "the vehicle's director repository (made with init)");
  director->add_option("--image-repo", image_repo, "the image repository")->required();
  director->add_option("--image-root", image_root, "the image repository root the director trusts")->required();
  director->add_option("--vehicle", director_req.vehicle, "vehicle identifier (VIN)");
  director->add_option("--ecu", ecu_args,
                       "SERIAL=HARDWARE_ID:TARGET[@INSTALLED_VERSION] (repeatable; none: nothing to install)");
  director->add_option("--fleet", fleet_path,
                       "assign and publish every vehicle a fleet file lists (schemas/director-fleet.schema.json)");
  director->add_option("--fleet-dir", fleet_dir, "with --fleet: one director repository per vehicle, DIR/<VIN>");
  director->add_option("--config", director_config, "with --fleet: repo.yaml to create missing vehicle repositories");
  director->footer(
      "Examples:\n  ota-manifest director --repo director/VIN123 --image-repo repo/ --image-root root.json \\\n"
      "    --vehicle VIN123 --ecu TCU-0042=tcu-revA:tcu/fw-2.4.0.bin@2.3.0\n"
      "  ota-manifest director --fleet fleet.yaml --fleet-dir director/ --config director.yaml \\\n"
      "    --image-repo repo/ --image-root root.json\n"
      "With @INSTALLED_VERSION the ECU gets the image's delta from that version when there is one.\n"
      "One vehicle: then 'ota-manifest publish --repo director/VIN123' signs the director metadata.\n"
      "--fleet publishes each vehicle's repository itself.");

  double warn_days = -1;
  auto* status = app.add_subcommand("status", "each role's version and expiry; exit 3 when one expires soon");
  status->add_option("--repo", repo, "the repository")->required();
  status->add_option("--warn-days", warn_days,
                     "warn this many days ahead for every role (default: root 30, targets and delegated 14, "
                     "snapshot 2, timestamp 0.25)");
  status->footer("Example (a CI job that runs daily):\n  ota-manifest status --repo repo/ --json || alert");

  bool dry_run = false;
  auto* root_cmd = app.add_subcommand("root", "rotate root: keys, thresholds or expiry from a new repo.yaml");
  root_cmd->add_option("--repo", repo, "the repository")->required();
  root_cmd->add_option("--config", config_path, "the new repo.yaml")->required();
  root_cmd->add_flag("--dry-run", dry_run, "print what root N+1 would change; sign and write nothing");
  root_cmd->footer(
      "Root N+1 is signed by a threshold of root N's keys and a threshold of its own.\n"
      "Revoke a key: leave it out of the new config. Then run 'ota-manifest publish'.");

  std::string trusted_root, state_dir, target_name, out;
  auto* verify = app.add_subcommand("verify", "verify a repository as a TUF client does");
  std::string expect_vehicle;
  verify->add_option("--repo", repo, "the repository: a directory or an http(s):// URL")->required();
  verify->add_option("--vehicle", expect_vehicle,
                     "Uptane: refuse director metadata signed for another vehicle (or for none)");
  verify->add_option("--trusted-root", trusted_root, "the root.json the client trusts")->required();
  verify->add_option("--state", state_dir, "keep trusted metadata here between runs (rollback protection)");
  verify->add_option("--target", target_name, "also find, download and check this target");
  verify->add_option("--out", out, "write the verified target here");
  std::string targets_from;
  verify->add_option("--targets-from", targets_from,
                     "fetch target files from this repository (Uptane: verify a director, download from the image repository)");

  if (auto stop = ota::tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;

  ota::io::PosixStorage fs;
  auto clock = ota::tools::metadata_now();
  if (!clock) return ota::tools::fail(kTool, clock.error(), json_out);
  ota::Secret passphrase;
  ota::signer::OpenOptions options = ota::tools::key_open_options(module, passphrase);
  if (audit_log.empty())
    if (const char* env = std::getenv("OTA_AUDIT_LOG"); env && *env) audit_log = env;
  ota::repository::Context ctx{
      fs, *clock,
      [&](const std::string& ref, const std::string& role) -> ota::Result<std::unique_ptr<ota::signer::Signer>> {
        auto s = ota::signer::open_signer(fs, ref, options);
        if (!s || audit_log.empty()) return s;
        return std::unique_ptr<ota::signer::Signer>(
            new ota::signer::AuditedSigner(std::move(*s), {audit_log, role, kTool, "publish"}));
      },
      [&](const std::string& ref) { return ota::signer::open_public_key(fs, ref, options); }};

  if (*init) {
    auto config = read_config(fs, config_path);
    if (!config) return ota::tools::fail(kTool, config.error(), json_out);
    auto made = ota::repository::init(ctx, *config, repo);
    if (!made) return ota::tools::fail(kTool, made.error(), json_out);
    json doc = {{"repo", repo}, {"versions", versions_json(made->versions)}, {"key_ids", made->key_ids}};
    return ota::tools::succeed(json_out, doc, "created repository '" + repo + "' (root v1, empty targets published)");
  }
  if (*add && !release_path.empty()) {
    if (!file_arg.empty() || !add_req.name.empty() || !add_req.version.empty() || !add_req.hardware_ids.empty() ||
        !delta_args.empty())
      return usage("--release lists the targets itself: leave out --file, --name, --version, --hardware-id and --delta",
                   json_out);
    auto text = read_text(fs, release_path);
    if (!text) return ota::tools::fail(kTool, text.error(), json_out);
    auto requests = ota::repository::parse_release(*text, fs::path(release_path).parent_path());
    if (!requests) return ota::tools::fail(kTool, std::move(requests).error().with_context("'" + release_path + "'"), json_out);
    ctx.jobs = jobs;
    auto added = ota::repository::add_targets(ctx, repo, *requests);
    if (!added) return ota::tools::fail(kTool, added.error(), json_out);
    json targets = json::array();
    for (const auto& t : added->targets) targets.push_back({{"name", t.name}, {"length", t.length}, {"sha256", t.sha256}});
    return ota::tools::succeed(json_out, {{"repo", repo}, {"staged", targets}},
                               "staged " + std::to_string(added->targets.size()) + " target(s) of " +
                                   std::to_string(requests->size()) + " image(s) in '" + repo +
                                   "'; run 'ota-manifest publish' to sign them");
  }
  if (*add) {
    if (file_arg.empty() || add_req.name.empty() || add_req.version.empty() || add_req.hardware_ids.empty())
      return usage("add needs --file, --name, --version and --hardware-id (or --release FILE)", json_out);
    add_req.file = file_arg;
    for (const auto& d : delta_args) {
      auto eq = d.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == d.size())
        return usage("--delta '" + d + "': expected FROM_VERSION=PATCH", json_out);
      add_req.deltas.push_back({d.substr(0, eq), d.substr(eq + 1)});
    }
    auto added = ota::repository::add_target(ctx, repo, add_req);
    if (!added) return ota::tools::fail(kTool, added.error(), json_out);
    json targets = json::array();
    for (const auto& t : added->targets) targets.push_back({{"name", t.name}, {"length", t.length}, {"sha256", t.sha256}});
    return ota::tools::succeed(json_out, {{"repo", repo}, {"staged", targets}},
                               "staged " + std::to_string(added->targets.size()) + " target(s) in '" + repo +
                                   "'; run 'ota-manifest publish' to sign them");
  }
  if (*director && !fleet_path.empty()) {
    if (fleet_dir.empty()) return usage("--fleet needs --fleet-dir DIR (one director repository per vehicle)", json_out);
    if (!repo.empty() || !director_req.vehicle.empty() || !ecu_args.empty())
      return usage("--fleet lists the vehicles itself: leave out --repo, --vehicle and --ecu", json_out);
    auto text = read_text(fs, fleet_path);
    if (!text) return ota::tools::fail(kTool, text.error(), json_out);
    auto vehicles = ota::repository::parse_fleet(*text);
    if (!vehicles) return ota::tools::fail(kTool, std::move(vehicles).error().with_context("'" + fleet_path + "'"), json_out);
    std::optional<ota::repository::Config> config;
    if (!director_config.empty()) {
      auto c = read_config(fs, director_config);
      if (!c) return ota::tools::fail(kTool, c.error(), json_out);
      config = std::move(*c);
    }
    ota::repository::FleetRequest fleet{fleet_dir, image_repo, image_root, {}, config ? &*config : nullptr};
    for (auto& v : *vehicles) fleet.vehicles.push_back({v.vehicle, std::move(v.ecus), {}, {}});
    auto done = ota::repository::assign_fleet(ctx, fleet);
    if (!done) return ota::tools::fail(kTool, done.error(), json_out);
    json list = json::array();
    size_t ecus = 0;
    for (const auto& v : *done) {
      json assigned = json::array();
      for (const auto& a : v.report.assigned)
        assigned.push_back({{"ecu_serial", a.ecu_serial}, {"target", a.target}, {"image", a.image}, {"delta", a.delta}});
      ecus += v.report.assigned.size();
      list.push_back({{"vehicle", v.vehicle}, {"repo", (fs::path(fleet_dir) / v.vehicle).string()}, {"created", v.created},
                      {"assigned", assigned}, {"versions", versions_json(v.published.versions)}});
    }
    return ota::tools::succeed(json_out, {{"fleet_dir", fleet_dir}, {"vehicles", list}},
                               "assigned and published " + std::to_string(done->size()) + " vehicle(s), " +
                                   std::to_string(ecus) + " ECU(s), under '" + fleet_dir + "'");
  }
  if (*director) {
    if (repo.empty() || director_req.vehicle.empty())
      return usage("director needs --repo and --vehicle (or --fleet FILE --fleet-dir DIR)", json_out);
    director_req.image_repo = image_repo;
    director_req.image_root = image_root;
    for (const auto& arg : ecu_args) {
      auto eq = arg.find('='), colon = arg.find(':', eq == std::string::npos ? 0 : eq);
      if (eq == std::string::npos || colon == std::string::npos || eq == 0 || colon == eq + 1 || colon + 1 == arg.size())
        return usage("--ecu '" + arg + "': expected SERIAL=HARDWARE_ID:TARGET[@INSTALLED_VERSION]", json_out);
      ota::repository::EcuAssignment e{arg.substr(0, eq), arg.substr(eq + 1, colon - eq - 1), arg.substr(colon + 1), {}};
      if (auto at = e.target.rfind('@'); at != std::string::npos) {
        e.installed_version = e.target.substr(at + 1);
        e.target.resize(at);
      }
      director_req.ecus.push_back(std::move(e));
    }
    auto done = ota::repository::assign(ctx, repo, director_req);
    if (!done) return ota::tools::fail(kTool, done.error(), json_out);
    json assigned = json::array();
    for (const auto& a : done->assigned)
      assigned.push_back({{"ecu_serial", a.ecu_serial}, {"target", a.target}, {"image", a.image}, {"delta", a.delta}});
    return ota::tools::succeed(json_out, {{"repo", repo}, {"vehicle", director_req.vehicle}, {"assigned", assigned}},
                               "assigned " + std::to_string(done->assigned.size()) + " ECU(s) of " +
                                   director_req.vehicle + "; run 'ota-manifest publish --repo " + repo + "'");
  }
  if (*delegate) {
    auto done = ota::repository::delegate(ctx, repo, delegation);
    if (!done) return ota::tools::fail(kTool, done.error(), json_out);
    return ota::tools::succeed(json_out, {{"repo", repo}, {"role", delegation.name}, {"paths", delegation.paths}},
                               "delegated " + std::to_string(delegation.paths.size()) + " path pattern(s) to '" +
                                   delegation.name + "'; run 'ota-manifest publish'");
  }
  if (*publish || *timestamp) {
    auto done = *publish ? ota::repository::publish(ctx, repo) : ota::repository::renew_timestamp(ctx, repo);
    if (!done) return ota::tools::fail(kTool, done.error(), json_out);
    json doc = {{"repo", repo}, {"versions", versions_json(done->versions)}, {"targets", done->targets},
                {"warnings", done->warnings}};
    for (const auto& w : done->warnings) std::fprintf(stderr, "%s: warning: %s\n", kTool, w.c_str());
    return ota::tools::succeed(json_out, doc,
                               std::string(*publish ? "published" : "renewed the timestamp of") + " '" + repo +
                                   "': targets v" + std::to_string(done->versions.targets) + ", snapshot v" +
                                   std::to_string(done->versions.snapshot) + ", timestamp v" +
                                   std::to_string(done->versions.timestamp) + " (expires " +
                                   ota::metadata::format_time(done->versions.timestamp_expires) + ")");
  }

  if (*status) {
    auto report = ota::repository::expiry_report(fs, repo);
    if (!report) return ota::tools::fail(kTool, report.error(), json_out);
    json roles = json::array();
    std::string soon;
    for (const auto& r : *report) {
      double days = warn_days >= 0                ? warn_days
                    : r.role == "root"            ? 30
                    : r.role == "snapshot"        ? 2
                    : r.role == "timestamp"       ? 0.25
                                                  : 14;
      int64_t left = r.expires - *clock;
      bool warning = double(left) < days * 86400;
      if (warning) soon += (soon.empty() ? "" : ", ") + r.role + " v" + std::to_string(r.version) +
                           (left <= 0 ? " expired" : " expires in " + std::to_string(left / 3600) + " h");
      roles.push_back({{"role", r.role}, {"version", r.version}, {"expires", ota::metadata::format_time(r.expires)},
                       {"seconds_left", left}, {"warning", warning}});
    }
    json doc = {{"repo", repo}, {"roles", roles}, {"ok", soon.empty()}};
    if (!soon.empty()) {
      if (json_out) std::printf("%s\n", doc.dump(2).c_str());
      std::fprintf(stderr, "%s: error: '%s': %s; renew with 'ota-manifest timestamp', 'publish' or 'root'\n", kTool,
                   repo.c_str(), soon.c_str());
      return ota::tools::kExitRejected;
    }
    return ota::tools::succeed(json_out, doc, "'" + repo + "': every role is valid beyond its warning window");
  }
  if (*root_cmd) {
    auto config = read_config(fs, config_path);
    if (!config) return ota::tools::fail(kTool, config.error(), json_out);
    auto rotated = ota::repository::rotate_root(ctx, repo, *config, dry_run);
    if (!rotated) return ota::tools::fail(kTool, rotated.error(), json_out);
    json doc = {{"repo", repo}, {"root_version", rotated->new_version}, {"dry_run", dry_run},
                {"added", rotated->added}, {"removed", rotated->removed},
                {"timestamp_or_snapshot_keys_changed", rotated->timestamp_or_snapshot_keys_changed}};
    std::string summary = std::string(dry_run ? "would write" : "wrote") + " root version " +
                          std::to_string(rotated->new_version);
    for (const auto& [role, ids] : rotated->added) summary += "; " + role + " +" + std::to_string(ids.size()) + " key(s)";
    for (const auto& [role, ids] : rotated->removed) summary += "; " + role + " -" + std::to_string(ids.size()) + " key(s)";
    if (!dry_run) summary += "; now run 'ota-manifest publish'";
    return ota::tools::succeed(json_out, doc, summary);
  }

  // verify
  auto root_file = fs.open_input(trusted_root);
  if (!root_file) return ota::tools::fail(kTool, root_file.error(), json_out);
  const std::string targets_repo = targets_from.empty() ? repo : targets_from;
  if (ota::client::is_url(repo) != ota::client::is_url(targets_repo))
    return usage("--repo and --targets-from must both be directories or both be URLs", json_out);
  std::unique_ptr<ota::client::Source> source;
  if (ota::client::is_url(repo))
    source = std::make_unique<ota::client::HttpSource>(repo, targets_repo);
  else
    source = std::make_unique<ota::client::DirectorySource>(fs, repo, targets_repo);
  std::optional<fs::path> state;
  if (!state_dir.empty()) state = state_dir;
  ota::client::Updater updater(*source, fs, state, *clock);
  if (auto ok = updater.start((*root_file)->bytes()); !ok) return ota::tools::fail(kTool, ok.error(), json_out);
  if (auto ok = updater.refresh(); !ok) return ota::tools::fail(kTool, ok.error(), json_out);
  auto v = updater.versions();
  json doc = {{"repo", repo},
              {"verified", true},
              {"versions", {{"root", v.root}, {"timestamp", v.timestamp}, {"snapshot", v.snapshot}, {"targets", v.targets}}}};
  std::string summary = "verified '" + repo + "': root v" + std::to_string(v.root) + ", timestamp v" +
                        std::to_string(v.timestamp) + ", snapshot v" + std::to_string(v.snapshot) + ", targets v" +
                        std::to_string(v.targets);
  // Uptane: director metadata names the vehicle it was signed for, even with no targets.
  std::string vehicle;
  if (const auto* top = updater.top_targets(); top && top->custom && top->custom->contains("vehicle") &&
                                              (*top->custom)["vehicle"].is_string())
    vehicle = (*top->custom)["vehicle"].get<std::string>();
  if (!vehicle.empty()) {
    doc["vehicle"] = vehicle;
    summary += "; for vehicle " + vehicle;
  }
  if (!expect_vehicle.empty() && vehicle != expect_vehicle)
    return ota::tools::fail(kTool,
                            Error{Errc::rejected, "'" + repo + "' is director metadata for " +
                                                      (vehicle.empty() ? std::string("no vehicle") : "vehicle '" + vehicle + "'") +
                                                      ", not for '" + expect_vehicle + "'"},
                            json_out);
  if (!target_name.empty()) {
    auto info = updater.find_target(target_name);
    if (!info) return ota::tools::fail(kTool, info.error(), json_out);
    auto bytes = updater.download_target(*info);
    if (!bytes) return ota::tools::fail(kTool, bytes.error(), json_out);
    if (!out.empty()) {
      auto written = ota::io::write_atomic(fs, out, ota::io::FileMode::kPublic,
                                           [&](ota::io::Writer& w) { return w.write(*bytes); });
      if (!written) return ota::tools::fail(kTool, written.error(), json_out);
    }
    doc["target"] = {{"name", target_name}, {"role", info->role}, {"length", bytes->size()},
                     {"sha256", ota::to_hex(ota::crypto::sha256(*bytes))},
                     {"custom", info->file.custom ? *info->file.custom : json()}};
    summary += "; target '" + target_name + "' (" + std::to_string(bytes->size()) + " bytes) verified";
  }
  return ota::tools::succeed(json_out, doc, summary);
}
