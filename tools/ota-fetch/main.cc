// ota-fetch: the device-side TUF client as a command (docs/ota-fetch.md), in the client
// protocol of the TUF project's conformance suite: options, then `init ROOT.json`,
// `refresh` or `download`. Exit 0 on complete success, 1 on any failure of the operation,
// 2 on a usage error. The workflow itself is lib/client (one implementation, shared with
// the device agent and `ota-manifest verify`).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

#include "client/faulty_source.h"
#include "client/http_source.h"
#include "client/target_store.h"
#include "client/updater.h"
#include "common/cli.h"
#include "common/report.h"
#include "io/posix_storage.h"

namespace {

using namespace ota;
using nlohmann::json;
namespace fs = std::filesystem;
constexpr const char* kTool = "ota-fetch";

struct Options {
  std::string metadata_dir, metadata_url, target_base_url, target_dir, root_file, ca_file;
  std::vector<std::string> target_names;
  uint32_t max_root_rotations = client::Limits{}.max_root_rotations;
  long connect_timeout = 15, stall_timeout = 30;
  uint32_t retries = 2;
  bool json = false, verbose = false, force = false;
};

// `init` must not touch the network: a Source that refuses every request.
class NoNetwork final : public client::Source {
 public:
  Result<Bytes> fetch_metadata(const std::string&, size_t) override { return refuse(); }
  Result<Bytes> fetch_target(const std::string&, size_t) override { return refuse(); }
  Result<Bytes> fetch_target_range(const std::string&, uint64_t, size_t) override { return refuse(); }

 private:
  static Error refuse() { return Error{Errc::invalid_argument, "init does not download anything"}; }
};

// --verbose: every request on stderr, with how it ended.
class LoggingSource final : public client::Source {
 public:
  explicit LoggingSource(client::Source& inner) : inner_(inner) {}
  Result<Bytes> fetch_metadata(const std::string& name, size_t max) override {
    return log("metadata " + name, inner_.fetch_metadata(name, max));
  }
  Result<Bytes> fetch_target(const std::string& path, size_t max) override {
    return log("target " + path, inner_.fetch_target(path, max));
  }
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override {
    return log("target " + path + " from byte " + std::to_string(offset), inner_.fetch_target_range(path, offset, length));
  }
  Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max, const client::ByteSink& sink) override {
    uint64_t n = 0;
    auto r = inner_.stream_target(path, offset, max, [&](ByteView b) {
      n += b.size();
      return sink(b);
    });
    std::fprintf(stderr, "%s: GET target %s from byte %llu: %s\n", kTool, path.c_str(), (unsigned long long)offset,
                 r ? (std::to_string(n) + " bytes").c_str() : r.error().message.c_str());
    return r;
  }

 private:
  Result<Bytes> log(const std::string& what, Result<Bytes> r) {
    std::fprintf(stderr, "%s: GET %s: %s\n", kTool, what.c_str(),
                 r ? (std::to_string(r->size()) + " bytes").c_str() : r.error().message.c_str());
    return r;
  }
  client::Source& inner_;
};

// Every failure of the operation is exit 1 (the suite's protocol); the JSON error keeps
// the precise code and names the step that failed.
int fail(const Options& o, const std::string& step, const Error& error) {
  std::fprintf(stderr, "%s: error: %s\n", kTool, error.message.c_str());
  if (o.json) {
    const json doc = {{"error", {{"code", std::string(to_string(error.code))}, {"message", error.message},
                                 {"step", step}, {"exit_code", tools::kExitFailure}}}};
    std::printf("%s\n", doc.dump().c_str());
  }
  return tools::kExitFailure;
}

int usage(const Options& o, const std::string& message) {
  return tools::fail(kTool, Error{Errc::invalid_argument, message + "; see 'ota-fetch --help'"}, o.json);
}

json versions_json(const client::Versions& v) {
  return {{"root", v.root}, {"timestamp", v.timestamp}, {"snapshot", v.snapshot}, {"targets", v.targets}};
}

Result<Bytes> read_all(io::Storage& fs, const std::string& path) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  return Bytes((*in)->bytes().begin(), (*in)->bytes().end());
}

int run_init(io::Storage& fs, const Options& o) {
  auto root = read_all(fs, o.root_file);
  if (!root) return fail(o, "init", std::move(root).error().with_context("reading the initial root"));
  const fs::path dir(o.metadata_dir);
  if (auto existing = read_all(fs, (dir / "root.json").string()); existing && *existing != *root) {
    if (!o.force)
      return fail(o, "init", Error{Errc::invalid_argument, "'" + (dir / "root.json").string() +
                                                               "' already trusts another root (--force replaces it and "
                                                               "forgets the metadata trusted under it)"});
    if (auto names = fs.list_directory(dir))
      for (const auto& n : *names)
        if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0) fs.remove(dir / n);
  }
  NoNetwork none;
  client::Updater updater(none, fs, dir, std::time(nullptr));
  if (auto ok = updater.start(*root); !ok) return fail(o, "init", std::move(ok).error().with_context("initial root"));
  const auto v = updater.versions();
  return tools::succeed(o.json, {{"command", "init"}, {"metadata_dir", o.metadata_dir}, {"versions", versions_json(v)}},
                        "trusted root version " + std::to_string(v.root) + " in " + o.metadata_dir);
}

int run_update(io::Storage& fs, const Options& o, bool download) {
  if (o.metadata_url.empty()) return usage(o, "--metadata-url is required");
  if (download && (o.target_base_url.empty() || o.target_dir.empty() || o.target_names.empty()))
    return usage(o, "download needs --target-name, --target-base-url and --target-dir");
  // The update start time, once (spec 5.1): read through libc, so faketime moves it.
  const metadata::Time now = std::time(nullptr);
  client::HttpOptions http;
  http.connect_timeout_seconds = o.connect_timeout;
  http.low_speed_seconds = o.stall_timeout;
  http.ca_file = o.ca_file;
  client::HttpSource http_source(client::HttpUrls{o.metadata_url, download ? o.target_base_url : o.metadata_url}, http);
  // A dropped connection is asked again (a target from where it stopped), as tuf-js does.
  client::RetryingSource retrying(http_source, o.retries);
  LoggingSource logged(retrying);
  client::Source& source = o.verbose ? static_cast<client::Source&>(logged) : retrying;
  client::Limits limits;
  limits.max_root_rotations = o.max_root_rotations;

  const fs::path dir(o.metadata_dir);
  if (!fs.is_directory(dir) || !read_all(fs, (dir / "root.json").string()))
    return fail(o, "refresh", Error{Errc::not_found, "no trusted root in '" + o.metadata_dir + "': run 'ota-fetch init' first"});
  client::Updater updater(source, fs, dir, now, limits);
  json report = {{"command", download ? "download" : "refresh"}, {"metadata_dir", o.metadata_dir}};
  if (auto ok = updater.start({}); !ok) return fail(o, "refresh", std::move(ok).error().with_context("trusted root"));
  if (auto ok = updater.refresh(); !ok) return fail(o, "refresh", ok.error());
  report["versions"] = versions_json(updater.versions());
  std::string summary = "trusted metadata: root " + std::to_string(updater.versions().root) + ", timestamp " +
                        std::to_string(updater.versions().timestamp) + ", snapshot " +
                        std::to_string(updater.versions().snapshot) + ", targets " +
                        std::to_string(updater.versions().targets);
  if (!download) return tools::succeed(o.json, report, summary);

  if (auto ok = fs.create_directories(o.target_dir); !ok) return fail(o, "download", ok.error());
  client::TargetStore store(fs, o.target_dir);
  report["targets"] = json::array();
  for (const auto& name : o.target_names) {
    auto info = updater.find_target(name);
    if (!info) return fail(o, "download", std::move(info).error().with_context("target '" + name + "'"));
    auto stored = store.fetch(updater, *info);
    if (!stored) return fail(o, "download", stored.error());
    report["targets"].push_back({{"path", name},
                                 {"role", info->role},
                                 {"length", info->file.length},
                                 {"hashes", info->file.hashes},
                                 {"file", stored->file.string()},
                                 {"downloaded", stored->downloaded},
                                 {"resumed_from", stored->resumed_from},
                                 {"bytes_downloaded", stored->bytes_downloaded}});
    summary += "\n" + name + ": " + (stored->downloaded ? "downloaded" : "already present") + " -> " + stored->file.string();
  }
  return tools::succeed(o.json, report, summary);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"ota-fetch: the device-side TUF client (docs/ota-fetch.md)", kTool};
  app.set_version_flag("--version", std::string(kTool) + " " OTA_VERSION);
  app.require_subcommand(1);
  app.add_option("--metadata-dir", o.metadata_dir, "directory of trusted metadata (ROLE.json files only)")->required();
  app.add_option("--metadata-url", o.metadata_url, "base URL of the repository's metadata files");
  app.add_option("--target-base-url", o.target_base_url, "base URL of the repository's target files");
  app.add_option("--target-dir", o.target_dir, "where verified targets are stored");
  app.add_option("--target-name", o.target_names, "a target path to download (repeat for several, in order)");
  app.add_option("--max-root-rotations", o.max_root_rotations, "root versions fetched per refresh at most")
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--connect-timeout", o.connect_timeout, "seconds to wait for a connection")->check(CLI::Range(1L, 3600L));
  app.add_option("--stall-timeout", o.stall_timeout, "seconds a transfer may stall (under 1 KiB/s) before it fails")
      ->check(CLI::Range(1L, 3600L));
  app.add_option("--ca-file", o.ca_file, "PEM certificate authorities trusted for https (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_option("--retries", o.retries, "times a dropped connection is retried per request (default 2)")
      ->check(CLI::Range(0u, 100u));
  app.add_flag("--json", o.json, "print one JSON document on stdout");
  app.add_flag("--verbose", o.verbose, "print every request on stderr");
  app.fallthrough();  // the options above may also follow the command word (set before the subcommands)
  auto* init = app.add_subcommand("init", "trust ROOT.json as the initial root (no network access)");
  init->add_option("root", o.root_file, "the initial root metadata")->required();
  init->add_flag("--force", o.force, "replace a different trusted root and forget what was trusted under it");
  app.add_subcommand("refresh", "update the trusted metadata from --metadata-url");
  app.add_subcommand("download", "refresh, then download and verify each --target-name");
  if (auto code = ota::tools::parse_command_line(app, argc, argv, kTool, o.json)) return *code;

  io::PosixStorage fs;
  const std::string command = app.get_subcommands().front()->get_name();
  if (command == "init") return run_init(fs, o);
  return run_update(fs, o, command == "download");
}
