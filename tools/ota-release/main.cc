// ota-release: one release file -> the plan of a staged rollout (docs/release.md,
// docs/cli.md). A thin driver: parse, call lib/release, map errors to exit codes.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "common/cli.h"
#include "common/report.h"
#include "io/posix_storage.h"
#include "release/campaign.h"
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
                 bool json_out) {
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
  const nlohmann::json doc = status_json(*plan, release::simulate(*plan, options));
  return tools::succeed(json_out, doc, status_summary(doc));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-release: plan a release's deltas, staged rollout, cost and records from one release file"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  ota-release plan --config release.yaml --out build/plan --json\n"
      "  ota-release campaign simulate --plan build/plan --seed 1 --failure-rate 0.004 --json\n"
      "Exit codes: 0 done, 1 bad input data, 2 usage or invalid release file, 4 file error.\n"
      "See docs/release.md and docs/cli.md.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  app.fallthrough();

  std::string config, out;
  CLI::App* plan = app.add_subcommand("plan", "the delta matrix, cohorts per stage and segment, cost estimate and plan.lock");
  plan->add_option("--config", config, "the release file (release.yaml)")->required();
  plan->add_option("--out", out, "the plan directory to write (plan.json, cohorts.csv, plan.lock)")->required();

  CLI::App* campaign = app.add_subcommand("campaign", "compile, advance or simulate the staged rollout of a plan");
  campaign->require_subcommand(1);
  std::string plan_dir;
  uint64_t seed = 0;
  double rate = 0;
  std::vector<std::string> segment_rates;
  CLI::App* simulate = campaign->add_subcommand("simulate", "run the whole campaign with installs failing at given rates");
  simulate->add_option("--plan", plan_dir, "the plan directory")->required();
  simulate->add_option("--seed", seed, "which vehicles fail: the same seed, the same vehicles")->required();
  simulate->add_option("--failure-rate", rate, "share of installs that fail, 0 to 1")->required()->check(CLI::Range(0.0, 1.0));
  simulate->add_option("--segment-failure-rate", segment_rates, "REGION/HWID=RATE: this segment fails at RATE instead");

  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;
  if (plan->parsed()) return run_plan(config, out, json_out);
  if (simulate->parsed()) return run_simulate(plan_dir, seed, rate, segment_rates, json_out);
  return tools::kExitUsage;
}
