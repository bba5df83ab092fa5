// ota-release: one release file -> the plan of a staged rollout (docs/release.md,
// docs/cli.md). A thin driver: parse, call lib/release, map errors to exit codes.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "common/cli.h"
#include "common/report.h"
#include "io/posix_storage.h"
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-release: plan a release's deltas, staged rollout, cost and records from one release file"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  ota-release plan --config release.yaml --out build/plan --json\n"
      "Exit codes: 0 done, 1 bad input data, 2 usage or invalid release file, 4 file error.\n"
      "See docs/release.md and docs/cli.md.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  app.fallthrough();

  std::string config, out;
  CLI::App* plan = app.add_subcommand("plan", "the delta matrix, cohorts per stage and segment, cost estimate and plan.lock");
  plan->add_option("--config", config, "the release file (release.yaml)")->required();
  plan->add_option("--out", out, "the plan directory to write (plan.json, cohorts.csv, plan.lock)")->required();

  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;
  if (plan->parsed()) return run_plan(config, out, json_out);
  return tools::kExitUsage;
}
