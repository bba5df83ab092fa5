// ota-bench-manifest: builds, signs and verifies TUF repositories of many small
// targets in process, through the library ota-manifest and the device client use
// (bench/manifest.sh runs it; bench/README.md).
//
//   ota-bench-manifest [--targets N]... [--dir DIR] [--algo ALGO] [--min-bytes B]
//                      [--max-bytes B] [--seed S] [--hash-reps R] [--verify-budget S]
//                      [--explain]
//
// For each N (default 1000 2500 5000 10000), in a fresh directory under DIR
// (default $TMPDIR or /tmp); every such directory is removed when the program ends:
//   setup    N files of B bytes each, B uniform in [min, max] (default 1024..4096),
//            random content from a fixed seed; four file keys of ALGO (default
//            ecdsa-p256), threshold 1 each; repository::init. Not timed.
//   hash     every file read with io::PosixStorage::open_input and hashed with
//            crypto::sha256: the "just hash those files" baseline. R passes (default
//            6), half before the build and half after verification; the fastest
//            counts, so the ratio is the strictest one.
//   build    repository::add_targets(all N, one batch) + repository::publish, timed
//            apart and together ("build_sign_seconds"); ratio = build_sign / hash.
//   verify   a fresh client::Updater (no state directory) over a DirectorySource:
//            start + refresh (root, timestamp, snapshot, targets.json: fetch, hash,
//            signature, parse), then find_target + download_target for every target,
//            in a fixed shuffled order; find and download timed apart.
//            If the targets alone take longer than --verify-budget seconds (default
//            0 = no limit), the run stops after the budget (at least 100 targets),
//            reports "verified_targets" < N and extrapolates the totals from the mean
//            per target ("verify_extrapolated": true).
//   explain  (--explain) the staged copy alone: open_input + io::write_atomic of every
//            file into a scratch tree, as add_targets copies them ("copy_seconds").
// Prints one JSON object per line per N on stdout (see bench/README.md for the keys);
// progress goes to stderr. Exit status: 0 ok, 1 a step failed, 2 usage.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "client/updater.h"
#include "core/bytes.h"
#include "core/hex.h"
#include "core/result.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "io/posix_storage.h"
#include "io/write_atomic.h"
#include "repository/repository.h"
#include "signer/signer.h"

namespace {

namespace fs = std::filesystem;
using namespace ota;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int usage(const char* why) {
  std::fprintf(stderr,
               "ota-bench-manifest: %s\n"
               "usage: ota-bench-manifest [--targets N]... [--dir DIR] [--algo ALGO] [--min-bytes B]\n"
               "                          [--max-bytes B] [--seed S] [--hash-reps R] [--verify-budget S]\n",
               why);
  return 2;
}

bool parse_ulong(const char* text, unsigned long& out) {
  if (!text || !*text || text[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoul(text, &end, 10);
  return errno == 0 && end && *end == '\0';
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

struct Failure {
  std::string what;
};

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw Failure{what + ": " + r.error().message};
  return std::move(*r);
}
void must(Result<void> r, const std::string& what) {
  if (!r) throw Failure{what + ": " + r.error().message};
}

[[gnu::format(printf, 1, 2)]] void note(const char* fmt, ...) {
  std::fprintf(stderr, "ota-bench-manifest: ");
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

long peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

struct Options {
  std::vector<unsigned long> counts;
  fs::path dir;
  crypto::Algorithm algo = crypto::Algorithm::ecdsa_p256;
  unsigned long min_bytes = 1024, max_bytes = 4096, seed = 20240601, hash_reps = 6;
  double verify_budget = 0;
  bool explain = false;
};

struct Source {
  fs::path file;
  std::string name;
  uint64_t length;
  std::string sha256;  // from the baseline pass
};

// Every work directory, removed at exit. Not after each N: on a journal-less ext4 (this
// machine's /tmp) the kernel skips inodes freed in the last few minutes when it allocates
// new ones, so deleting N files right before the next build slows that build's file
// creation. Keeping them until the end leaves each N the same file-system history.
std::vector<fs::path> work_dirs;

void remove_work_dirs() {
  for (const auto& d : work_dirs) {
    std::error_code ec;
    fs::remove_all(d, ec);
  }
  work_dirs.clear();
}

// One pass of the baseline: read + SHA-256 of every file, as add_targets reads them.
double hash_pass(io::Storage& storage, std::vector<Source>& sources, bool record);

void run_one(const Options& opt, unsigned long n) {
  io::PosixStorage storage;
  char tmpl_buf[4096];
  std::snprintf(tmpl_buf, sizeof tmpl_buf, "%s/ota-bench-manifest-%lu.XXXXXX", opt.dir.c_str(), n);
  if (!mkdtemp(tmpl_buf)) throw Failure{std::string("mkdtemp under '") + opt.dir.string() + "': " + std::strerror(errno)};
  const fs::path work = tmpl_buf;
  work_dirs.push_back(work);  // removed when every N is done (see main)

  // --- setup: files ---------------------------------------------------------------
  note("N=%lu: writing %lu files of %lu..%lu bytes", n, n, opt.min_bytes, opt.max_bytes);
  const auto setup_start = Clock::now();
  std::mt19937_64 rng(opt.seed + n);
  std::uniform_int_distribution<unsigned long> size_dist(opt.min_bytes, opt.max_bytes);
  std::vector<Source> sources;
  sources.reserve(n);
  uint64_t total_bytes = 0;
  const unsigned long groups = 100;  // ecu-00 .. ecu-99: 100 target directories
  must(storage.create_directories(work / "src"), "creating the source directory");
  for (unsigned long i = 0; i < n; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "ecu-%02lu/target-%05lu.bin", i % groups, i);
    Bytes content(size_dist(rng));
    for (size_t k = 0; k < content.size(); k += 8) {
      uint64_t v = rng();
      std::memcpy(content.data() + k, &v, std::min<size_t>(8, content.size() - k));
    }
    fs::path file = work / "src" / (std::to_string(i) + ".bin");
    // Plain write, no fsync: inputs are the producer's build output, already on disk.
    FILE* f = std::fopen(file.c_str(), "wb");
    if (!f || std::fwrite(content.data(), 1, content.size(), f) != content.size() || std::fclose(f) != 0)
      throw Failure{"writing '" + file.string() + "'"};
    sources.push_back({file, name, content.size(), {}});
    total_bytes += content.size();
  }

  // --- setup: keys, config, init ----------------------------------------------------
  const fs::path keys = work / "keys";
  must(storage.create_directories(keys), "creating the key directory");
  auto key = [&](const char* role) { return "file:" + (keys / (std::string(role) + ".pem")).string(); };
  std::string yaml = "roles:\n";
  for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
    must(signer::generate_key(storage, key(role), {opt.algo, {}}, {}), std::string("generating the ") + role + " key");
    yaml += std::string("  ") + role + ": {keys: [" + key(role) + "], threshold: 1}\n";
  }
  auto config = must(repository::parse_config(yaml, keys), "repo config");
  const metadata::Time now = std::time(nullptr);
  repository::Context ctx{
      storage, now,
      [&](const std::string& ref, const std::string&) { return signer::open_signer(storage, ref, {}); },
      [&](const std::string& ref) { return signer::open_public_key(storage, ref, {}); }};
  const fs::path repo = work / "repo";
  must(repository::init(ctx, config, repo), "init");
  const double setup_seconds = seconds_since(setup_start);

  // --- (a) baseline: read + SHA-256 of every file -------------------------------------
  // Half the passes before the build, the rest after verification; the fastest counts,
  // so a neighbour's burst of activity during one pass does not flatter the ratio.
  const unsigned long reps_before = (opt.hash_reps + 1) / 2;
  std::vector<double> hash_times;
  for (unsigned long rep = 0; rep < reps_before; ++rep) hash_times.push_back(hash_pass(storage, sources, rep == 0));

  // --- (b) build + sign -----------------------------------------------------------------
  std::vector<repository::AddRequest> requests;
  requests.reserve(n);
  for (const auto& s : sources) {
    repository::AddRequest r;
    r.file = s.file;
    r.name = s.name;
    r.version = "1.0." + std::to_string(n);
    r.hardware_ids = {"hw-bench"};
    requests.push_back(std::move(r));
  }
  note("N=%lu: add_targets + publish", n);
  const auto add_start = Clock::now();
  auto added = must(repository::add_targets(ctx, repo, requests), "add_targets");
  const double add_seconds = seconds_since(add_start);
  const auto publish_start = Clock::now();
  auto published = must(repository::publish(ctx, repo), "publish");
  const double publish_seconds = seconds_since(publish_start);
  const double build_seconds = add_seconds + publish_seconds;
  if (added.targets.size() != n) throw Failure{"add_targets reported " + std::to_string(added.targets.size()) + " targets"};
  if (published.targets != n) throw Failure{"publish signed " + std::to_string(published.targets) + " targets"};
  for (size_t i = 0; i < n; ++i)
    if (added.targets[i].sha256 != sources[i].sha256 || added.targets[i].length != sources[i].length)
      throw Failure{"add_targets recorded a different hash or length for '" + sources[i].name + "'"};

  auto metadata_size = [&](const std::string& name) -> uint64_t {
    std::error_code ec;
    auto size = fs::file_size(repo / "metadata" / name, ec);
    if (ec) throw Failure{"no metadata/" + name + " after publish"};
    return size;
  };
  const uint64_t targets_json_bytes = metadata_size(std::to_string(published.versions.targets) + ".targets.json");
  const uint64_t staged_json_bytes = [&] {
    std::error_code ec;
    auto size = fs::file_size(repo / "staged-targets.json", ec);
    return ec ? uint64_t(0) : uint64_t(size);
  }();

  // --- (c) verification -------------------------------------------------------------------
  note("N=%lu: verifying", n);
  auto root_file = must(storage.open_input(repo / "metadata" / "1.root.json"), "reading 1.root.json");
  const Bytes root_bytes(root_file->bytes().begin(), root_file->bytes().end());
  client::DirectorySource source(storage, repo);
  client::Updater updater(source, storage, std::nullopt, now);
  const auto refresh_start = Clock::now();
  must(updater.start(root_bytes), "client start");
  must(updater.refresh(), "client refresh");
  const double refresh_seconds = seconds_since(refresh_start);
  const auto v = updater.versions();
  if (v.targets != published.versions.targets || v.snapshot != published.versions.snapshot)
    throw Failure{"the client trusts targets " + std::to_string(v.targets) + ", the repository published " +
                  std::to_string(published.versions.targets)};

  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(opt.seed));
  double find_seconds = 0, download_seconds = 0;
  size_t verified = 0;
  const auto targets_start = Clock::now();
  for (size_t idx : order) {
    const Source& s = sources[idx];
    const auto f0 = Clock::now();
    auto info = must(updater.find_target(s.name), "find_target '" + s.name + "'");
    const auto f1 = Clock::now();
    auto bytes = must(updater.download_target(info), "download_target '" + s.name + "'");
    const auto f2 = Clock::now();
    find_seconds += std::chrono::duration<double>(f1 - f0).count();
    download_seconds += std::chrono::duration<double>(f2 - f1).count();
    auto h = info.file.hashes.find("sha256");
    if (bytes.size() != s.length || h == info.file.hashes.end() || h->second != s.sha256)
      throw Failure{"the client got a different file for '" + s.name + "'"};
    ++verified;
    if (opt.verify_budget > 0 && verified >= 100 && verified < n && seconds_since(targets_start) > opt.verify_budget) {
      note("N=%lu: verify budget of %.1f s spent after %zu of %lu targets; extrapolating", n, opt.verify_budget,
           verified, n);
      break;
    }
  }
  const double targets_measured = seconds_since(targets_start);

  // --- explain: the staged copy alone ---------------------------------------------------------
  // What stage_one does to put one file into targets/: open_input, create_directories,
  // io::write_atomic (temporary file, write, fsync, close, rename, fsync of the directory).
  double copy_seconds = -1;
  if (opt.explain) {
    note("N=%lu: explain: timing the staged copy alone", n);
    const fs::path copy = work / "copy";
    const auto c0 = Clock::now();
    for (const auto& s : sources) {
      auto in = must(storage.open_input(s.file), "reading '" + s.file.string() + "'");
      fs::path name(s.name);
      fs::path dest = copy / name.parent_path() / (s.sha256 + "." + name.filename().string());
      must(storage.create_directories(dest.parent_path()), "creating '" + dest.parent_path().string() + "'");
      must(io::write_atomic(storage, dest, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(in->bytes()); }),
           "writing '" + dest.string() + "'");
    }
    copy_seconds = seconds_since(c0);
  }

  for (unsigned long rep = reps_before; rep < opt.hash_reps; ++rep) hash_times.push_back(hash_pass(storage, sources, false));
  const double hash_seconds = *std::min_element(hash_times.begin(), hash_times.end());
  const double hash_seconds_max = *std::max_element(hash_times.begin(), hash_times.end());
  const bool extrapolated = verified < n;
  const double per_target = targets_measured / double(verified);
  const double targets_seconds = per_target * double(n);
  const double verify_seconds = refresh_seconds + targets_seconds;

  std::printf(
      "{\"targets\":%lu,\"algorithm\":%s,\"total_bytes\":%" PRIu64 ",\"min_bytes\":%lu,\"max_bytes\":%lu,"
      "\"setup_seconds\":%.6f,\"hash_seconds\":%.6f,\"hash_seconds_max\":%.6f,\"hash_reps\":%lu,"
      "\"add_seconds\":%.6f,\"publish_seconds\":%.6f,\"build_sign_seconds\":%.6f,\"ratio\":%.3f,"
      "\"targets_json_bytes\":%" PRIu64 ",\"staged_json_bytes\":%" PRIu64 ","
      "\"refresh_seconds\":%.6f,\"find_seconds\":%.6f,\"download_seconds\":%.6f,"
      "\"targets_seconds\":%.6f,\"verify_seconds\":%.6f,\"verified_targets\":%zu,\"verify_extrapolated\":%s,"
      "\"refresh_us_per_target\":%.3f,\"find_us_per_target\":%.3f,\"download_us_per_target\":%.3f,"
      "\"verify_us_per_target\":%.3f,\"copy_seconds\":%s,\"peak_rss_kib\":%ld}\n",
      n, json_string(crypto::to_string(opt.algo)).c_str(), total_bytes, opt.min_bytes, opt.max_bytes, setup_seconds,
      hash_seconds, hash_seconds_max, opt.hash_reps, add_seconds, publish_seconds, build_seconds, build_seconds / hash_seconds,
      targets_json_bytes, staged_json_bytes, refresh_seconds, find_seconds, download_seconds, targets_seconds,
      verify_seconds, verified, extrapolated ? "true" : "false", refresh_seconds * 1e6 / double(n),
      find_seconds * 1e6 / double(verified), download_seconds * 1e6 / double(verified),
      verify_seconds * 1e6 / double(n), copy_seconds < 0 ? "null" : fmt_seconds(copy_seconds).c_str(), peak_rss_kib());
  std::fflush(stdout);
}

double hash_pass(io::Storage& storage, std::vector<Source>& sources, bool record) {
  const auto t0 = Clock::now();
  for (auto& s : sources) {
    auto in = must(storage.open_input(s.file), "reading '" + s.file.string() + "'");
    auto digest = crypto::sha256(in->bytes());
    if (record) s.sha256 = to_hex(digest);
  }
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  const char* tmpdir = std::getenv("TMPDIR");
  opt.dir = tmpdir && *tmpdir ? tmpdir : "/tmp";

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") {
      usage("repository build, sign and verify times for many small targets (see bench/README.md)");
      return 0;
    }
    if (arg == "--explain") {
      opt.explain = true;
      continue;
    }
    if (!value) return usage(("missing value after " + std::string(arg)).c_str());
    ++i;
    unsigned long u = 0;
    if (arg == "--targets") {
      if (!parse_ulong(value, u) || u == 0 || u > 1000000) return usage("--targets takes 1..1000000");
      opt.counts.push_back(u);
    } else if (arg == "--dir") {
      opt.dir = value;
    } else if (arg == "--algo") {
      auto a = crypto::parse_algorithm(value);
      if (!a) return usage("--algo takes ed25519, ecdsa-p256 or rsa-pss-3072");
      opt.algo = *a;
    } else if (arg == "--min-bytes" || arg == "--max-bytes") {
      if (!parse_ulong(value, u) || u == 0 || u > (64ul << 20)) return usage("--min-bytes/--max-bytes take 1..64 MiB");
      (arg == "--min-bytes" ? opt.min_bytes : opt.max_bytes) = u;
    } else if (arg == "--seed") {
      if (!parse_ulong(value, opt.seed)) return usage("--seed takes a non-negative integer");
    } else if (arg == "--hash-reps") {
      if (!parse_ulong(value, opt.hash_reps) || opt.hash_reps == 0 || opt.hash_reps > 100)
        return usage("--hash-reps takes 1..100");
    } else if (arg == "--verify-budget") {
      char* end = nullptr;
      opt.verify_budget = std::strtod(value, &end);
      if (!end || *end != '\0' || !(opt.verify_budget >= 0 && opt.verify_budget < 86400))
        return usage("--verify-budget takes seconds >= 0 (0: verify every target)");
    } else {
      return usage(("unknown option " + std::string(arg)).c_str());
    }
  }
  if (opt.min_bytes > opt.max_bytes) return usage("--min-bytes is larger than --max-bytes");
  if (opt.counts.empty()) opt.counts = {1000, 2500, 5000, 10000};
  if (!fs::is_directory(opt.dir)) return usage(("--dir '" + opt.dir.string() + "' is not a directory").c_str());

  int status = 0;
  try {
    for (unsigned long n : opt.counts) run_one(opt, n);
  } catch (const Failure& f) {
    std::fprintf(stderr, "ota-bench-manifest: %s\n", f.what.c_str());
    status = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ota-bench-manifest: %s\n", e.what());
    status = 1;
  }
  remove_work_dirs();
  return status;
}
