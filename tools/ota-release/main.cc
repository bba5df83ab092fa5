// ota-release: one release file -> the plan of a staged rollout (docs/release.md,
// docs/cli.md). A thin driver: parse, call lib/release, map errors to exit codes.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "common/cli.h"
#include "common/clock.h"
#include "common/pin.h"
#include "common/report.h"
#include "io/write_atomic.h"
#include "io/posix_storage.h"
#include "release/assignments.h"
#include "release/build.h"
#include "release/campaign.h"
#include "release/emit.h"
#include "release/merge.h"
#include "release/report.h"
#include "signer/audited_signer.h"
#include "release/plan_files.h"

namespace {

using namespace ota;
namespace fs = std::filesystem;
constexpr const char* kTool = "ota-release";

// --out must not be a directory that holds an input: the plan never writes beside them.
std::optional<Error> refuse_input_directory(const release::PlanInputs& in, const std::string& out) {
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(fs::absolute(out), ec);
  for (const auto& f : in.files) {
    const fs::path dir = fs::weakly_canonical(fs::absolute(f.path).parent_path(), ec);
    if (!ec && dir == target)
      return Error{Errc::invalid_argument, "--out '" + out + "' is the directory of the input '" + f.path.string() +
                                               "'; write the plan to a directory of its own"};
  }
  return std::nullopt;
}

// The plan directory is an input of every later command: nothing is written into it.
// `file`: `out` names a file, so its directory is what must not be the plan's.
std::optional<Error> refuse_plan_dir(const std::string& out, const std::string& plan_dir, bool file) {
  std::error_code ec;
  const fs::path where = fs::weakly_canonical(file ? fs::absolute(out).parent_path() : fs::absolute(out), ec);
  if (where != fs::weakly_canonical(fs::absolute(plan_dir), ec)) return std::nullopt;
  return Error{Errc::invalid_argument,
               "--out '" + out + "' is " + (file ? "in " : "") + "the plan directory, an input; write elsewhere"};
}

int run_plan(const std::string& config, const std::string& out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto inputs = release::load_inputs(storage, config);
  if (!inputs) return fail(inputs.error());
  if (auto refused = refuse_input_directory(*inputs, out)) return fail(*refused);
  auto written = release::write_plan(storage, *inputs, out);
  if (!written) return fail(written.error());

  const release::Plan& plan = written->plan;
  uint64_t delta_ecus = 0, full_ecus = 0;
  for (const auto& e : plan.matrix) (e.delta ? delta_ecus : full_ecus) += e.from_version == inputs->config.version ? 0 : e.ecus;
  nlohmann::json doc = {{"plan", written->plan_json.generic_string()},
                        {"cohorts", written->cohorts_csv.generic_string()},
                        {"lock", written->plan_lock.generic_string()},
                        {"release", inputs->config.id},
                        {"vehicles", plan.vehicles},
                        {"ecus", plan.ecus},
                        {"segments", plan.segments.size()},
                        {"delta_ecus", delta_ecus},
                        {"full_image_ecus", full_ecus},
                        {"estimated_usd", written->cost.usd_total}};
  char summary[512];
  std::snprintf(summary, sizeof summary,
                "%s: planned %s for %llu vehicles in %zu segments (%llu ECUs on a delta, %llu on the full image); "
                "estimated cost at most $%.2f; wrote %s",
                kTool, inputs->config.id.c_str(), (unsigned long long)plan.vehicles, plan.segments.size(),
                (unsigned long long)delta_ecus, (unsigned long long)full_ecus, written->cost.usd_total,
                written->plan_json.c_str());
  return tools::succeed(json_out, doc, summary);
}

nlohmann::json status_json(const release::LoadedPlan& plan, const release::CampaignStatus& st) {
  nlohmann::json segments = nlohmann::json::array(), decisions = nlohmann::json::array();
  uint64_t spent = 0, planned = 0, bytes = 0;
  for (const auto& s : plan.segments)
    for (const auto& v : s.vehicles) planned += v.micro_usd;
  for (const auto& s : st.segments) {
    spent += s.micro_usd;
    bytes += s.bytes;
    segments.push_back({{"segment", s.name},
                        {"state", release::to_string(s.state)},
                        {"stage", plan.stages.empty() ? "" : plan.stages[s.stage].name},
                        {"extensions", s.extensions},
                        {"reached", s.reached},
                        {"executed", s.executed},
                        {"failed", s.failed},
                        {"bytes", s.bytes},
                        {"usd", double(s.micro_usd) / 1e6}});
  }
  for (const auto& d : st.decisions)
    decisions.push_back({{"group", d.group},
                         {"segments", d.segments},
                         {"stage", d.stage},
                         {"extension", d.extension},
                         {"action", d.action},
                         {"executed", d.result.executed},
                         {"failed", d.result.failed},
                         {"success_lower", d.result.success.lower},
                         {"success_upper", d.result.success.upper},
                         {"failure_lower", d.result.failure.lower},
                         {"rule", d.result.rule}});
  return {{"release", plan.release_id},
          {"state", release::overall_state(st)},
          {"waiting", st.waiting},
          {"segments", segments},
          {"decisions", decisions},
          {"bytes", bytes},
          {"usd", double(spent) / 1e6},
          {"usd_planned", double(planned) / 1e6},
          {"spent_share", planned > 0 ? double(spent) / double(planned) : 0.0}};
}

std::string status_summary(const nlohmann::json& doc) {
  std::string out = std::string(kTool) + ": campaign " + doc["state"].get<std::string>();
  char buf[160];
  std::snprintf(buf, sizeof buf, ": $%.2f spent of $%.2f planned (%.2f %%)", doc["usd"].get<double>(),
                doc["usd_planned"].get<double>(), 100 * doc["spent_share"].get<double>());
  out += buf;
  for (const auto& s : doc["segments"]) {
    std::snprintf(buf, sizeof buf, "\n  %-24s %-11s at %-10s %7llu executed, %5llu failed", s["segment"].get<std::string>().c_str(),
                  s["state"].get<std::string>().c_str(), s["stage"].get<std::string>().c_str(),
                  (unsigned long long)s["executed"].get<uint64_t>(), (unsigned long long)s["failed"].get<uint64_t>());
    out += buf;
  }
  return out;
}

// "EU/tcu-revA=0.08" -> (segment, rate)
std::optional<std::pair<std::string, double>> parse_segment_rate(const std::string& text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  try {
    size_t used = 0;
    const double r = std::stod(text.substr(eq + 1), &used);
    if (used != text.size() - eq - 1 || !(r >= 0 && r <= 1)) return std::nullopt;
    return std::make_pair(text.substr(0, eq), r);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int run_simulate(const std::string& plan_dir, uint64_t seed, double rate, const std::vector<std::string>& segment_rates,
                 const std::string& outcomes_out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  release::SimulationOptions options{seed, rate, {}};
  for (const auto& text : segment_rates) {
    auto r = parse_segment_rate(text);
    if (!r) return fail(Error{Errc::invalid_argument, "--segment-failure-rate '" + text + "': expected SEGMENT=RATE with 0 <= RATE <= 1"});
    const bool known = std::any_of(plan->segments.begin(), plan->segments.end(), [&](const auto& s) { return s.name == r->first; });
    if (!known) return fail(Error{Errc::invalid_argument, "--segment-failure-rate '" + text + "': the plan has no segment '" + r->first + "'"});
    options.segment_failure_rate[r->first] = r->second;
  }
  release::Outcomes drawn;
  const nlohmann::json doc = status_json(*plan, release::simulate(*plan, options, &drawn));
  if (!outcomes_out.empty()) {  // JSON lines in cohort order, one per ECU
    std::string lines;
    for (const auto& s : plan->segments)
      for (const auto& v : s.vehicles) {
        const auto it = drawn.by_vin.find(v.vin);
        if (it == drawn.by_vin.end()) continue;
        const char* r = it->second == release::Outcome::success ? "success" : "failure";
        for (const auto& e : v.ecus)
          lines += nlohmann::json({{"vin", v.vin}, {"ecu_serial", e.ecu_serial}, {"result", r}}).dump() + "\n";
      }
    auto w = io::write_atomic(storage, outcomes_out, io::FileMode::kPublic, [&](io::Writer& out) {
      return out.write(ByteView(reinterpret_cast<const uint8_t*>(lines.data()), lines.size()));
    });
    if (!w) return fail(std::move(w).error().with_context("writing " + outcomes_out));
  }
  return tools::succeed(json_out, doc, status_summary(doc));
}

int run_emit(const std::string& plan_dir, const std::string& engine_name, release::EmitOptions options,
             const std::string& out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  options.engine = engine_name == "gitlab" ? release::Engine::gitlab
                   : engine_name == "github" ? release::Engine::github
                                             : release::Engine::k8s;
  if (options.plan_path.empty()) options.plan_path = plan_dir;
  if (auto refused = refuse_plan_dir(out, plan_dir, true)) return fail(*refused);
  auto emitted = release::emit_pipeline(*plan, options, std::string(kTool) + " " + OTA_VERSION);
  if (!emitted) return fail(emitted.error());
  const std::string& text = emitted->text;
  auto written = io::write_atomic(storage, out, io::FileMode::kPublic, [&](io::Writer& w) {
    return w.write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  });
  if (!written) return fail(std::move(written).error().with_context("writing " + out));
  nlohmann::json doc = {{"engine", engine_name}, {"file", out}, {"shards", emitted->shards},
                        {"items", emitted->items}, {"limit", emitted->limit}};
  const bool capped = options.max_jobs > emitted->shards && emitted->items > emitted->shards;
  return tools::succeed(json_out, doc,
                        std::string(kTool) + ": wrote " + out + ": " + std::to_string(emitted->shards) + " " + engine_name +
                            " shard job(s) for " + std::to_string(emitted->items) + " item(s), then merge" +
                            (capped ? " (--max-jobs " + std::to_string(options.max_jobs) + " capped at the engine's " +
                                          std::to_string(emitted->limit) + ")"
                                    : ""));
}

int run_build(const std::string& plan_dir, const std::string& shard_text, const std::string& out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto shard = release::parse_shard(shard_text);
  if (!shard) return fail(shard.error());
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  if (auto refused = refuse_plan_dir(out, plan_dir, false)) return fail(*refused);
  auto results = release::build_shard(storage, *plan, *shard, out, std::string(kTool) + " " + OTA_VERSION);
  if (!results) return fail(results.error());
  nlohmann::json items = nlohmann::json::array();
  uint64_t bytes = 0;
  for (const auto& r : *results) {
    bytes += r.size;
    items.push_back({{"item", r.item}, {"kind", r.kind}, {"file", r.file}, {"size", r.size}, {"sha256", r.sha256},
                     {"algorithm", r.algorithm}, {"seconds", r.seconds}});
  }
  nlohmann::json doc = {{"shard", shard_text}, {"out", out}, {"items", items}, {"bytes", bytes}};
  return tools::succeed(json_out, doc,
                        std::string(kTool) + ": shard " + shard_text + ": built " + std::to_string(results->size()) +
                            " item(s), " + std::to_string(bytes) + " bytes, into " + out);
}

Result<void> write_text(io::Storage& storage, const fs::path& dest, const std::string& text) {
  auto r = io::write_atomic(storage, dest, io::FileMode::kPublic, [&](io::Writer& w) {
    return w.write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  });
  if (!r) return std::move(r).error().with_context("writing " + dest.string());
  return {};
}

Result<release::Outcomes> read_outcomes(io::Storage& storage, const std::string& file, const release::LoadedPlan& plan) {
  auto text = storage.open_input(file);
  if (!text) return std::move(text).error();
  const ByteView raw = (*text)->bytes();
  return release::parse_outcomes(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), file, plan);
}

int run_compile(const std::string& plan_dir, const std::string& out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  if (auto refused = refuse_plan_dir(out, plan_dir, false)) return fail(*refused);
  const fs::path dir(out);
  if (auto r = storage.create_directories(dir / "assignments"); !r) return fail(r.error());
  nlohmann::json files = nlohmann::json::array();
  for (size_t k = 0; k < plan->stages.size(); ++k) {
    std::vector<release::Reached> ranges;
    for (size_t i = 0; i < plan->segments.size(); ++i) {
      const auto& s = plan->segments[i];
      ranges.push_back({i, k ? s.stage_end[k - 1] : 0, s.stage_end[k]});
    }
    const fs::path file = dir / "assignments" / (std::to_string(k) + "-" + plan->stages[k].name + ".csv");
    if (auto r = write_text(storage, file, release::forward_assignments(*plan, ranges)); !r) return fail(r.error());
    files.push_back(file.generic_string());
  }
  if (auto r = write_text(storage, dir / "campaign.json", release::campaign_json(*plan)); !r) return fail(r.error());
  nlohmann::json doc = {{"campaign", (dir / "campaign.json").generic_string()}, {"assignments", files}};
  return tools::succeed(json_out, doc,
                        std::string(kTool) + ": compiled " + std::to_string(plan->stages.size()) +
                            " stage(s) of assignments and campaign.json into " + out);
}

int run_advance(const std::string& plan_dir, const std::string& outcomes_file, const std::string& out, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  auto outcomes = read_outcomes(storage, outcomes_file, *plan);
  if (!outcomes) return fail(outcomes.error());
  if (auto refused = refuse_plan_dir(out, plan_dir, false)) return fail(*refused);
  const release::CampaignStatus st = release::advance(*plan, *outcomes);
  // The wave to send now: reached, running, no outcome yet. Rollback: every vehicle a
  // rolled-back segment reached.
  std::vector<release::Reached> next, back;
  for (size_t i = 0; i < st.segments.size(); ++i) {
    const auto& s = st.segments[i];
    if (s.state == release::SegmentState::rolled_back) back.push_back({i, 0, s.reached});
    if (s.state != release::SegmentState::running) continue;
    const auto& vehicles = plan->segments[i].vehicles;
    for (uint64_t p = 0; p < s.reached; ++p)
      if (!outcomes->by_vin.count(vehicles[p].vin)) {
        if (!next.empty() && next.back().segment == i && next.back().to == p) ++next.back().to;
        else next.push_back({i, p, p + 1});
      }
  }
  const fs::path dir(out);
  if (auto r = storage.create_directories(dir); !r) return fail(r.error());
  const nlohmann::json doc = status_json(*plan, st);
  if (auto r = write_text(storage, dir / "next-assignments.csv", release::forward_assignments(*plan, next)); !r) return fail(r.error());
  if (auto r = write_text(storage, dir / "rollback-assignments.csv", release::rollback_assignments(*plan, back)); !r)
    return fail(r.error());
  if (auto r = write_text(storage, dir / "decisions.json", doc.dump(2) + "\n"); !r) return fail(r.error());
  return tools::succeed(json_out, doc, status_summary(doc));
}

int run_report(const std::string& plan_dir, const std::string& outcomes_file, const std::string& out,
               const std::string& purpose, std::string key, const std::string& module, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  auto outcomes = read_outcomes(storage, outcomes_file, *plan);
  if (!outcomes) return fail(outcomes.error());
  if (auto refused = refuse_plan_dir(out, plan_dir, false)) return fail(*refused);
  if (key.empty()) {  // the targets role's first key in the plan's repo.yaml
    auto cfg_text = storage.open_input(plan->repository_config);
    if (!cfg_text) return fail(std::move(cfg_text).error().with_context("the plan's repository config (or give --key)"));
    const ByteView c = (*cfg_text)->bytes();
    auto cfg = repository::parse_config(std::string(c.begin(), c.end()), fs::path(plan->repository_config).parent_path());
    if (!cfg) return fail(std::move(cfg).error().with_context("'" + plan->repository_config + "'"));
    const auto targets = cfg->roles.find("targets");
    if (targets == cfg->roles.end() || targets->second.keys.empty())
      return fail(Error{Errc::invalid_argument, "'" + plan->repository_config + "' names no targets key; give --key"});
    key = targets->second.keys.front();
  }
  Secret passphrase;
  auto signer = signer::open_signer(storage, key, tools::key_open_options(module, passphrase));
  if (!signer) return fail(signer.error());
  const release::CampaignStatus st = release::advance(*plan, *outcomes);
  auto records = release::make_records(*plan, *outcomes, st, {purpose, outcomes_file}, **signer);
  if (!records) return fail(records.error());
  const fs::path dir(out);
  if (auto r = storage.create_directories(dir); !r) return fail(r.error());
  nlohmann::json names = nlohmann::json::array();
  for (const auto& f : *records) {  // index.json and its signature come last
    if (auto r = write_text(storage, dir / f.name, f.text); !r) return fail(r.error());
    names.push_back(f.name);
  }
  nlohmann::json doc = {{"out", out}, {"files", names}, {"keyid", (*signer)->key_id()}, {"state", release::overall_state(st)}};
  return tools::succeed(json_out, doc,
                        std::string(kTool) + ": wrote the records of " + plan->release_id + " into " + out +
                            " (index signed by targets key " + (*signer)->key_id().substr(0, 12) + "...)");
}

int run_merge(const std::string& plan_dir, const std::vector<std::string>& result_dirs, const std::string& repo,
              const std::string& module, bool json_out) {
  io::PosixStorage storage;
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto plan = release::read_plan_dir(storage, plan_dir);
  if (!plan) return fail(plan.error());
  auto clock = ota::tools::metadata_now();
  if (!clock) return fail(clock.error());
  Secret passphrase;
  const signer::OpenOptions options = tools::key_open_options(module, passphrase);
  std::string audit_log;
  if (const char* env = std::getenv("OTA_AUDIT_LOG"); env && *env) audit_log = env;
  repository::Context ctx{
      storage, *clock,
      [&](const std::string& ref, const std::string& role) -> Result<std::unique_ptr<signer::Signer>> {
        auto s = signer::open_signer(storage, ref, options);
        if (!s || audit_log.empty()) return s;
        return std::unique_ptr<signer::Signer>(new signer::AuditedSigner(std::move(*s), {audit_log, role, kTool, "merge"}));
      },
      [&](const std::string& ref) { return signer::open_public_key(storage, ref, options); }};
  std::vector<fs::path> dirs(result_dirs.begin(), result_dirs.end());
  auto merged = release::merge_results(ctx, *plan, dirs, repo);
  if (!merged) return fail(merged.error());
  nlohmann::json targets = nlohmann::json::array();
  size_t deltas = 0;
  for (const auto& t : merged->targets) {
    targets.push_back({{"hardware_id", t.hardware_id}, {"name", t.name}, {"delta_versions", t.delta_versions}});
    deltas += t.delta_versions.size();
  }
  const auto& v = merged->published.versions;
  nlohmann::json doc = {{"repo", repo},
                        {"created", merged->created},
                        {"targets", targets},
                        {"rollback_targets", merged->rollback_targets},
                        {"versions", {{"root", v.root}, {"targets", v.targets}, {"snapshot", v.snapshot}, {"timestamp", v.timestamp}}},
                        {"payload_bytes", merged->payload_bytes},
                        {"usd", double(merged->micro_usd) / 1e6},
                        {"estimated_usd", double(merged->estimated_micro_usd) / 1e6}};
  char summary[400];
  std::snprintf(summary, sizeof summary,
                "%s: published %zu image(s) with %zu delta(s) into %s (targets v%llu); the fleet downloads %llu bytes, "
                "$%.2f (the plan estimated at most $%.2f)",
                kTool, merged->targets.size(), deltas, repo.c_str(), (unsigned long long)v.targets,
                (unsigned long long)merged->payload_bytes, double(merged->micro_usd) / 1e6,
                double(merged->estimated_micro_usd) / 1e6);
  return tools::succeed(json_out, doc, summary);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-release: plan a release's deltas, staged rollout, cost and records from one release file"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  ota-release plan --config release.yaml --out build/plan --json\n"
      "  ota-release emit --plan build/plan --engine gitlab --max-jobs 8 --out deltas.gitlab-ci.yml\n"
      "  ota-release build --plan build/plan --shard 0/8 --out results/shard-0\n"
      "  ota-release merge --plan build/plan --results results/shard-* --repo repo\n"
      "  ota-release campaign compile --plan build/plan --out campaign\n"
      "  ota-release campaign advance --plan build/plan --results outcomes.jsonl --out campaign/now\n"
      "  ota-release campaign simulate --plan build/plan --seed 1 --failure-rate 0.004 --json\n"
      "  ota-release report --plan build/plan --outcomes outcomes.jsonl --out records --purpose 'fixes CVE-...'\n"
      "Exit codes: 0 done, 1 corrupt plan, 2 usage or invalid release file or inventory, 3 an input\n"
      "changed since the plan, 4 file error.\n"
      "See docs/release.md and docs/cli.md.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  app.fallthrough();

  std::string config, out, plan_dir;
  CLI::App* plan = app.add_subcommand("plan", "the delta matrix, cohorts per stage and segment, cost estimate and plan.lock");
  plan->add_option("--config", config, "the release file (release.yaml)")->required();
  plan->add_option("--out", out, "the plan directory to write (plan.json, cohorts.csv, plan.lock)")->required();

  CLI::App* campaign = app.add_subcommand("campaign", "compile, advance or simulate the staged rollout of a plan");
  campaign->require_subcommand(1);
  uint64_t seed = 0;
  double rate = 0;
  std::vector<std::string> segment_rates;
  CLI::App* simulate = campaign->add_subcommand("simulate", "run the whole campaign with installs failing at given rates");
  simulate->add_option("--plan", plan_dir, "the plan directory")->required();
  simulate->add_option("--seed", seed, "which vehicles fail: the same seed, the same vehicles")->required();
  simulate->add_option("--failure-rate", rate, "share of installs that fail, 0 to 1")->required()->check(CLI::Range(0.0, 1.0));
  simulate->add_option("--segment-failure-rate", segment_rates, "REGION/HWID=RATE: this segment fails at RATE instead");
  std::string outcomes_out;
  simulate->add_option("--write-outcomes", outcomes_out, "also write the drawn outcomes as OUTCOMES.jsonl (for report)");

  std::string engine, emit_out, shard_text, build_out;
  release::EmitOptions emit_options;
  emit_options.plan_path.clear();
  CLI::App* emit = app.add_subcommand("emit", "the build work as a CI pipeline: K shard jobs, then merge");
  emit->add_option("--plan", plan_dir, "the plan directory")->required();
  emit->add_option("--engine", engine, "gitlab (child pipeline), github (workflow) or k8s (Indexed Job)")
      ->required()
      ->check(CLI::IsMember({"gitlab", "github", "k8s"}));
  emit->add_option("--max-jobs", emit_options.max_jobs, "at most this many shard jobs (capped at 200 on GitLab, 256 on GitHub)")
      ->check(CLI::PositiveNumber);
  emit->add_option("--out", emit_out, "the pipeline file to write")->required();
  emit->add_option("--plan-path", emit_options.plan_path, "the plan directory as the jobs see it (default: --plan)");
  emit->add_option("--tool", emit_options.tool, "the ota-release command the jobs run")->capture_default_str();
  emit->add_option("--repo", emit_options.repo, "where the merge job publishes")->capture_default_str();
  emit->add_option("--image", emit_options.image, "k8s: the container image with ota-release")->capture_default_str();
  emit->add_option("--volume-claim", emit_options.volume_claim, "k8s: the PVC holding the checkout and the plan")
      ->capture_default_str();
  CLI::App* build = app.add_subcommand("build", "one shard's deltas and full images, content-addressed, with result JSON");
  build->add_option("--plan", plan_dir, "the plan directory")->required();
  build->add_option("--shard", shard_text, "I/K: this job's shard of K (0 <= I < K)")->required();
  build->add_option("--out", build_out, "the directory for this shard's results")->required();

  std::vector<std::string> result_dirs;
  std::string repo, module;
  CLI::App* merge = app.add_subcommand("merge", "check every shard's results and publish them into the image repository, signed");
  merge->add_option("--plan", plan_dir, "the plan directory")->required();
  merge->add_option("--results", result_dirs, "the shards' result directories")->required()->expected(1, -1);
  merge->add_option("--repo", repo, "the image repository (created from the plan's repo.yaml when absent)")->required();
  merge->add_option("--module", module, "PKCS#11 module for pkcs11: keys (default: p11-kit's)");

  std::string campaign_out, outcomes_file;
  CLI::App* compile = campaign->add_subcommand("compile", "director assignments per stage and campaign.json");
  compile->add_option("--plan", plan_dir, "the plan directory")->required();
  compile->add_option("--out", campaign_out, "the campaign directory to write")->required();
  CLI::App* advance = campaign->add_subcommand("advance", "decide every segment from the outcomes so far; the next assignments");
  advance->add_option("--plan", plan_dir, "the plan directory")->required();
  advance->add_option("--results", outcomes_file, "OUTCOMES.jsonl: {\"vin\", \"ecu_serial\", \"result\"} per line")->required();
  advance->add_option("--out", campaign_out, "where decisions.json, next- and rollback-assignments.csv go")->required();

  std::string purpose, key;
  CLI::App* report = app.add_subcommand("report", "R156 / ISO 24089 records, a signed index, the cost table, a summary");
  report->add_option("--plan", plan_dir, "the plan directory")->required();
  report->add_option("--outcomes", outcomes_file, "OUTCOMES.jsonl as for campaign advance")->required();
  report->add_option("--out", campaign_out, "the records directory to write")->required();
  report->add_option("--purpose", purpose, "why this update exists, in words (recorded)");
  report->add_option("--key", key, "the key that signs index.json (default: the targets key of the plan's repo.yaml)");
  report->add_option("--module", module, "PKCS#11 module for pkcs11: keys (default: p11-kit's)");

  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;
  if (report->parsed()) return run_report(plan_dir, outcomes_file, campaign_out, purpose, key, module, json_out);
  if (compile->parsed()) return run_compile(plan_dir, campaign_out, json_out);
  if (advance->parsed()) return run_advance(plan_dir, outcomes_file, campaign_out, json_out);
  if (merge->parsed()) return run_merge(plan_dir, result_dirs, repo, module, json_out);
  if (emit->parsed()) return run_emit(plan_dir, engine, emit_options, emit_out, json_out);
  if (build->parsed()) return run_build(plan_dir, shard_text, build_out, json_out);
  if (plan->parsed()) return run_plan(config, out, json_out);
  if (simulate->parsed()) return run_simulate(plan_dir, seed, rate, segment_rates, outcomes_out, json_out);
  return tools::kExitUsage;
}
