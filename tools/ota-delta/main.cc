// ota-delta: binary deltas between firmware images (docs/cli.md, docs/delta.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/cli.h"
#include "common/progress.h"
#include "common/report.h"
#include "delta/operations.h"
#include "io/posix_storage.h"
#include "ota-delta/json.h"

namespace {

constexpr const char* kTool = "ota-delta";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-delta: binary deltas between firmware images"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Examples:\n"
      "  ota-delta create --from fw-1.0.bin --to fw-1.1.bin --out 1.0-1.1.patch\n"
      "  ota-delta apply --from fw-1.0.bin --patch 1.0-1.1.patch --out fw-1.1.bin\n"
      "  ota-delta info 1.0-1.1.patch --json\n"
      "Exit codes: 0 ok, 1 corrupt or unsupported data, 2 usage, 3 rejected (wrong source,\n"
      "hash mismatch), 4 file-system error. See docs/cli.md.");
  bool json = false;
  app.add_flag("--json", json, "print one JSON document on stdout (messages stay on stderr)");
  app.require_subcommand(1);
  app.fallthrough();

  ota::delta::CreateRequest create_req;
  std::string algo = "auto";
  bool no_trailer = false, thorough = false, fast = false;
  auto* create = app.add_subcommand("create", "write a patch that turns OLD into NEW");
  create->add_option("--from", create_req.old_path, "OLD: the image devices run now")->required();
  create->add_option("--to", create_req.new_path, "NEW: the image to deliver")->required();
  create->add_option("--out", create_req.out_path, "PATCH: where to write the patch")->required();
  create->add_option("--algo", algo, "ota (smallest; ota-delta applies it), bsdiff (bspatch-compatible), zstd (zstd --patch-from), "
                  "vcdiff (xdelta3-compatible), or auto (try each, keep the smallest)")
      ->check(CLI::IsMember({"ota", "bsdiff", "zstd", "vcdiff", "auto"}))
      ->capture_default_str();
  create->add_option("--level", create_req.encode.zstd_level, "zstd compression level, 1..22")
      ->check(CLI::Range(1, 22))
      ->capture_default_str();
  create->add_flag("--no-trailer", no_trailer,
                   "omit the ota verification trailer (source/target sha256); the output is "
                   "then exactly what bsdiff, zstd or xdelta3 would write (an ota patch always "
                   "records both)");
  auto* thorough_flag = create->add_flag(
      "--thorough", thorough, "bsdiff and ota: try more match thresholds, keep the smallest (default with auto)");
  create->add_flag("--fast", fast, "bsdiff: one classic bsdiff 4.3 scan (default with --algo bsdiff); "
                   "ota: one threshold, no branch filter")
      ->excludes(thorough_flag);
  create->footer("Example:\n  ota-delta create --algo auto --from v1.bin --to v2.bin --out v1-v2.patch --json");

  ota::delta::ApplyRequest apply_req;
  auto* apply = app.add_subcommand("apply", "rebuild NEW from OLD and a patch (format detected)");
  apply->add_option("--from", apply_req.old_path, "OLD: the source the patch was made from")->required();
  apply->add_option("--patch", apply_req.patch_path, "PATCH: ota, BSDIFF40, zstd patch-from frame or VCDIFF")->required();
  apply->add_option("--out", apply_req.out_path, "NEW: written only once complete and verified")->required();
  apply->add_option("--max-output", apply_req.limits.max_output_bytes,
                    "refuse patches that declare a larger output (bytes; K/M/G suffixes)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  apply->footer("Example:\n  ota-delta apply --from v1.bin --patch v1-v2.patch --out v2.bin");

  ota::delta::ReleaseRequest release_req;
  std::vector<std::string> release_from;
  std::string release_algo = "auto";
  bool release_fast = false;
  auto* release = app.add_subcommand(
      "release", "one patch per source version, the compressed full image, and index.json");
  release->add_option("--to", release_req.new_path, "NEW: the image to deliver")->required();
  release->add_option("--from", release_from, "VERSION=OLD: a version devices run and its image (repeat)")
      ->required();
  release->add_option("--out-dir", release_req.out_dir, "DIR: new or empty directory for the release")
      ->required();
  release->add_option("--jobs", release_req.jobs, "sources encoded at once (default: number of cores)")
      ->check(CLI::Range(1, 256));
  release->add_option("--threshold", release_req.threshold,
                      "ship the full image when the delta is at least this fraction of it")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  release->add_option("--algo", release_algo, "as for create; auto tries every algorithm per source")
      ->check(CLI::IsMember({"ota", "bsdiff", "zstd", "vcdiff", "auto"}))
      ->capture_default_str();
  release->add_flag("--fast", release_fast, "one match threshold per algorithm (quicker, larger)");
  release->footer(
      "Example:\n  ota-delta release --to fw-2.0.bin --from 1.9=fw-1.9.bin --from 1.8=fw-1.8.bin "
      "--out-dir release-2.0 --json");

  std::string info_path;
  auto* info = app.add_subcommand("info", "describe a patch: format, sizes, recorded hashes");
  info->add_option("PATCH", info_path, "the patch file")->required();
  info->footer("Example:\n  ota-delta info v1-v2.patch --json");

  if (auto stop = ota::tools::parse_command_line(app, argc, argv, kTool, json)) return *stop;


  ota::io::PosixStorage storage;
  ota::tools::Progress progress(kTool);
  auto on_progress = [&](std::string_view phase, uint64_t done, uint64_t total) {
    progress.update(phase, done, total);
  };

  if (*create) {
    if (algo == "auto")
      create_req.algorithms.assign(std::begin(ota::delta::kAllAlgorithms),
                                   std::end(ota::delta::kAllAlgorithms));
    else
      create_req.algorithms = {*ota::delta::parse_algorithm(algo)};
    create_req.encode.trailer = !no_trailer;
    create_req.encode.thorough = thorough || (algo == "auto" && !fast);
    if (create_req.encode.thorough) create_req.encode.ota.match_gains = {8, 16, 5, 24};
    if (fast) create_req.encode.ota = {{8}, {ota::delta::BranchFilter::kNone}, 1};
    create_req.progress = on_progress;
    auto made = ota::delta::create_patch(storage, create_req);
    progress.finish();
    if (!made) return ota::tools::fail(kTool, made.error(), json);
    const std::string out = create_req.out_path.string();
    return ota::tools::succeed(json, ota::tools::to_json(*made, out), ota::tools::summary(*made, out));
  }
  if (*release) {
    for (const auto& spec : release_from) {
      const auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        return ota::tools::fail(kTool,
                                ota::Error{ota::Errc::invalid_argument,
                                           "--from '" + spec + "' is not VERSION=OLD (e.g. 1.9=fw-1.9.bin)"},
                                json);
      release_req.sources.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
    }
    if (release_algo == "auto")
      release_req.algorithms.assign(std::begin(ota::delta::kAllAlgorithms),
                                    std::end(ota::delta::kAllAlgorithms));
    else
      release_req.algorithms = {*ota::delta::parse_algorithm(release_algo)};
    release_req.encode.thorough = !release_fast;
    if (!release_fast) release_req.encode.ota.match_gains = {8, 16, 5, 24};
    release_req.progress = on_progress;
    auto made = ota::delta::release_deltas(storage, release_req);
    progress.finish();
    if (!made) return ota::tools::fail(kTool, made.error(), json);
    return ota::tools::succeed(json, ota::tools::to_json(*made), ota::tools::summary(*made));
  }
  if (*apply) {
    apply_req.progress = on_progress;
    auto applied = ota::delta::apply_patch(storage, apply_req);
    progress.finish();
    if (!applied) return ota::tools::fail(kTool, applied.error(), json);
    const std::string out = apply_req.out_path.string();
    return ota::tools::succeed(json, ota::tools::to_json(*applied, out),
                               ota::tools::summary(*applied, out));
  }
  auto described = ota::delta::inspect_patch(storage, info_path);
  if (!described) return ota::tools::fail(kTool, described.error(), json);
  if (json) return ota::tools::succeed(true, ota::tools::to_json(*described), "");
  std::fputs(ota::tools::describe(*described).c_str(), stdout);
  return std::fflush(stdout) == 0 ? ota::tools::kExitOk : ota::tools::kExitIo;
}
