// ota-bench-manifest: builds, signs and verifies TUF repositories of many small
// targets in process, through the library ota-manifest and the device client use
// (bench/manifest.sh runs it; bench/README.md).
//
//   ota-bench-manifest [--targets N]... [--dir DIR] [--src-dir DIR] [--algo ALGO]
//                      [--min-bytes B] [--max-bytes B] [--seed S] [--hash-reps R]
//                      [--verify-budget S] [--explain] [--cold]
//
// First it writes the inputs once, for the largest N, under --src-dir (default: --dir):
// files of B bytes each, B uniform in [min, max] (default 1024..4096), random content
// from a fixed seed, target names ecu-00/target-00000.bin ... (100 directories). Then for
// each N (default 1000 10000), in a fresh directory under DIR (default $TMPDIR or /tmp),
// with the first N inputs:
//   setup    four file keys of ALGO (default ecdsa-p256), threshold 1 each;
//            repository::init. Not timed.
//   hash     every file read with io::PosixStorage::open_input and hashed with
//            crypto::sha256: the "just hash those files" baseline. R passes (default
//            6), half before the build and half after verification; the fastest
//            counts, so the ratio is the strictest one.
//   plain    (reference, not in the ratio) the same files read with open/read/close into
//            one reused heap buffer + crypto::sha256, fastest of R passes after the build.
//   build    repository::add_targets(all N, one batch, on as many threads as cores, as
//            ota-manifest add does) + repository::publish, timed
//            apart and together ("build_sign_seconds"); ratio = build_sign / hash.
//   verify   a fresh client::Updater (no state directory) over a DirectorySource:
//            start + refresh (root, timestamp, snapshot, targets.json: fetch, hash,
//            signature, parse), then find_target + download_target for every target,
//            in a fixed shuffled order; find and download timed apart.
//            If the targets alone take longer than --verify-budget seconds (default
//            0 = no limit), the run stops after the budget (at least 100 targets),
//            reports "verified_targets" < N and extrapolates the totals from the mean
//            per target ("verify_extrapolated": true).
//   peers    GNU sha256sum over the N files, and GNU cp of them into a new directory +
//            `sync -f` (fastest of 3 each): peer_ratio = build_sign / (sha256sum + cp),
//            what the build costs against hashing and copying with coreutils.
//   --cold   (root) sync + drop the page cache before every timed pass, the build and
//            each peer run: the inputs come from disk, not memory. Put --src-dir on a
//            disk file system then.
//   explain  (--explain) the staged copy alone: open_input + io::write_atomic of every
//            file into a scratch tree, as add_targets copies them ("copy_seconds").
// Prints one JSON object per line per N on stdout (see bench/README.md for the keys);
// progress goes to stderr. Exit status: 0 ok, 1 a step failed, 2 usage.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

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
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Wall-clock and CPU (user + system) time of a phase. CPU time leaves out waiting: for
// the disk (fsync) and for a core when a neighbour's process holds it.
struct Span {
  double wall = 0, cpu = 0;
  Span& operator+=(const Span& o) {
    wall += o.wall;
    cpu += o.cpu;
    return *this;
  }
};
class Stopwatch {
 public:
  Stopwatch() : wall_(Clock::now()), cpu_(cpu_now()) {}
  Span elapsed() const { return {std::chrono::duration<double>(Clock::now() - wall_).count(), cpu_now() - cpu_}; }

 private:
  Clock::time_point wall_;
  double cpu_;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "ota-bench-manifest: %s\n"
               "usage: ota-bench-manifest [--targets N]... [--dir DIR] [--src-dir DIR] [--algo ALGO]\n"
               "                          [--min-bytes B] [--max-bytes B] [--seed S] [--hash-reps R]\n"
               "                          [--verify-budget S] [--explain] [--cold]\n",
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

struct Failure {
  std::string what;
};

// Error context is built only on failure: the timed loops must not pay for it.
template <class T, class What>
T must(Result<T> r, What&& what) {
  if (!r) throw Failure{std::string(what()) + ": " + r.error().message};
  return std::move(*r);
}
template <class What>
void must(Result<void> r, What&& what) {
  if (!r) throw Failure{std::string(what()) + ": " + r.error().message};
}
#define WHAT(...) [&] { return std::string(__VA_ARGS__); }

const Clock::time_point program_start = Clock::now();

// Progress on stderr, with the seconds since the program started.
[[gnu::format(printf, 1, 2)]] void note(const char* fmt, ...) {
  std::fprintf(stderr, "ota-bench-manifest: [%6.1f s] ",
               std::chrono::duration<double>(Clock::now() - program_start).count());
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

// Seconds rounded to the microsecond, microseconds to the nanosecond, ratios to 1/1000.
double r6(double v) { return std::round(v * 1e6) / 1e6; }
double r3(double v) { return std::round(v * 1e3) / 1e3; }

long peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

struct Options {
  std::vector<unsigned long> counts;
  fs::path dir, src_dir;
  crypto::Algorithm algo = crypto::Algorithm::ecdsa_p256;
  unsigned long min_bytes = 1024, max_bytes = 4096, seed = 20240601, hash_reps = 6;
  double verify_budget = 0;
  bool explain = false;
  bool cold = false;  // drop the page cache before every timed read
  unsigned long jobs = 0;  // add_targets threads; 0: the number of cores, as ota-manifest add
};

struct Source {
  fs::path file;
  std::string name;
  uint64_t length;
  std::string sha256;  // from the first baseline pass
};

// Every directory the program made, removed when it ends rather than after each N:
// unlinking tens of thousands of files must not overlap the next N's measurements (on
// this machine's ext4, mounted with discard and no journal, each unlink of a written-back
// file waits for a discard: ~4 ms when the disk is slow).
std::vector<fs::path> work_dirs;

void remove_work_dirs() {
  if (!work_dirs.empty()) note("removing the work directories");
  for (const auto& d : work_dirs) {
    std::error_code ec;
    fs::remove_all(d, ec);
  }
  work_dirs.clear();
}

// --cold: every timed phase starts with the inputs on disk only, as on a machine that did
// not just write them (artifacts fetched earlier, a cache volume). Needs root.
void drop_caches(const Options& opt) {
  if (!opt.cold) return;
  ::sync();
  FILE* f = std::fopen("/proc/sys/vm/drop_caches", "w");
  bool ok = f && std::fputs("3\n", f) >= 0;
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) throw Failure{std::string("--cold: cannot write /proc/sys/vm/drop_caches (root only): ") + std::strerror(errno)};
}

// The peer tools on the same files, each a fresh process as a script would run them:
// GNU sha256sum over all of them, and GNU cp of all of them into one new directory
// followed by `sync -f` (add_targets ends with one syncfs, so both pay for durability).
Span run_peer(const std::string& command) {
  Stopwatch watch;
  int rc = std::system(command.c_str());
  Span took = watch.elapsed();
  if (rc != 0) throw Failure{"peer command failed (" + std::to_string(rc) + "): " + command};
  return took;
}

std::string quote_shell(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One pass of the baseline: read + SHA-256 of every file, the way add_targets reads
// and hashes them (io::PosixStorage::open_input, crypto::sha256). Not inlined, so a
// profile (bench/README.md) tells its samples from the rest of run_one.
[[gnu::noinline]] Span hash_pass(io::Storage& storage, std::vector<Source>& sources, bool record) {
  Stopwatch watch;
  for (auto& s : sources) {
    auto in = must(storage.open_input(s.file), WHAT("reading '" + s.file.string() + "'"));
    auto digest = crypto::sha256(in->bytes());
    if (record) s.sha256 = to_hex(digest);
  }
  return watch.elapsed();
}

// A reference pass, not the baseline: the same files read with open/read/close into one
// reused heap buffer, then crypto::sha256. It shows what hashing costs without
// open_input's per-file buffer (a fresh anonymous mapping of at least 2 MiB per file).
[[gnu::noinline]] Span plain_hash_pass(const std::vector<Source>& sources) {
  Stopwatch watch;
  Bytes buffer;
  for (const auto& s : sources) {
    int fd = ::open(s.file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) throw Failure{"reading '" + s.file.string() + "': " + std::strerror(errno)};
    buffer.resize(size_t(st.st_size));
    size_t got = 0;
    while (got < buffer.size()) {
      ssize_t r = ::read(fd, buffer.data() + got, buffer.size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += size_t(r);
    }
    ::close(fd);
    if (got != buffer.size()) throw Failure{"reading '" + s.file.string() + "': short read"};
    if (to_hex(crypto::sha256(buffer)) != s.sha256) throw Failure{"'" + s.file.string() + "' changed"};
  }
  return watch.elapsed();
}

// --explain: what add_targets does to put each file into targets/, alone: open_input,
// create_directories, io::write_new (temporary file, write, close, rename without
// replacing), then one syncfs.
[[gnu::noinline]] Span stage_copy(io::Storage& storage, const std::vector<Source>& sources, const fs::path& dir) {
  Stopwatch watch;
  for (const auto& s : sources) {
    auto in = must(storage.open_input(s.file), WHAT("reading '" + s.file.string() + "'"));
    fs::path name(s.name);
    fs::path dest = dir / name.parent_path() / (s.sha256 + "." + name.filename().string());
    must(storage.create_directories(dest.parent_path()), WHAT("creating '" + dest.parent_path().string() + "'"));
    must(io::write_new(storage, dest, io::FileMode::kPublic, in->bytes()), WHAT("writing '" + dest.string() + "'"));
  }
  must(storage.sync_filesystem(dir), WHAT("syncing '" + dir.string() + "'"));
  return watch.elapsed();
}

// The inputs, written once for the largest N; each N takes the first N of them. Random
// content from a fixed seed, B uniform in [min, max], 100 target directories.
std::vector<Source> write_sources(const Options& opt, unsigned long count) {
  std::string tmpl = (opt.src_dir / "ota-bench-manifest-src.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw Failure{"mkdtemp under '" + opt.src_dir.string() + "': " + std::strerror(errno)};
  const fs::path dir = tmpl;
  work_dirs.push_back(dir);
  note("writing %lu files of %lu..%lu bytes under %s", count, opt.min_bytes, opt.max_bytes, dir.c_str());
  std::mt19937_64 rng(opt.seed);
  std::uniform_int_distribution<unsigned long> size_dist(opt.min_bytes, opt.max_bytes);
  std::vector<Source> sources;
  sources.reserve(count);
  const unsigned long groups = 100;  // ecu-00 .. ecu-99
  for (unsigned long i = 0; i < count; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "ecu-%02lu/target-%05lu.bin", i % groups, i);
    Bytes content(size_dist(rng));
    for (size_t k = 0; k < content.size(); k += 8) {
      uint64_t v = rng();
      std::memcpy(content.data() + k, &v, std::min<size_t>(8, content.size() - k));
    }
    fs::path file = dir / (std::to_string(i) + ".bin");
    // A plain write, no fsync: the inputs are a build's output, in the page cache.
    FILE* f = std::fopen(file.c_str(), "wb");
    bool ok = f && std::fwrite(content.data(), 1, content.size(), f) == content.size();
    if (f && std::fclose(f) != 0) ok = false;
    if (!ok) throw Failure{"writing '" + file.string() + "': " + std::strerror(errno)};
    sources.push_back({file, name, content.size(), {}});
  }
  return sources;
}

json run_one(const Options& opt, const std::vector<Source>& all_sources, unsigned long n) {
  io::PosixStorage storage;
  std::string tmpl = (opt.dir / ("ota-bench-manifest-" + std::to_string(n) + ".XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw Failure{"mkdtemp under '" + opt.dir.string() + "': " + std::strerror(errno)};
  const fs::path work = tmpl;
  work_dirs.push_back(work);

  // --- setup: the first N inputs, keys, config, init (not timed) -----------------
  note("N=%lu: keys, init", n);
  Stopwatch setup_watch;
  std::vector<Source> sources(all_sources.begin(), all_sources.begin() + long(n));
  uint64_t total_bytes = 0;
  for (const auto& src : sources) total_bytes += src.length;
  const fs::path keys = work / "keys";
  must(storage.create_directories(keys), WHAT("creating the key directory"));
  auto key = [&](const char* role) { return "file:" + (keys / (std::string(role) + ".pem")).string(); };
  std::string yaml = "roles:\n";
  for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
    must(signer::generate_key(storage, key(role), {opt.algo, {}}, {}),
         WHAT(std::string("generating the ") + role + " key"));
    yaml += std::string("  ") + role + ": {keys: [" + key(role) + "], threshold: 1}\n";
  }
  auto config = must(repository::parse_config(yaml, keys), WHAT("repo config"));
  const metadata::Time now = std::time(nullptr);
  repository::Context ctx{
      storage, now, [&](const std::string& ref, const std::string&) { return signer::open_signer(storage, ref, {}); },
      [&](const std::string& ref) { return signer::open_public_key(storage, ref, {}); }};
  ctx.jobs = opt.jobs ? unsigned(opt.jobs) : std::max(1u, std::thread::hardware_concurrency());  // as ota-manifest add does
  const fs::path repo = work / "repo";
  must(repository::init(ctx, config, repo), WHAT("init"));
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
  const Span setup = setup_watch.elapsed();

  // --- (a) baseline: read + SHA-256 of every file -------------------------------------
  // Half the passes before the build, the rest after verification; the fastest counts
  // (wall and CPU each), so a burst of activity next to one pass cannot flatter the ratio.
  const unsigned long reps_before = (opt.hash_reps + 1) / 2;
  std::vector<Span> hash_passes;
  for (unsigned long rep = 0; rep < reps_before; ++rep) {
    drop_caches(opt);
    hash_passes.push_back(hash_pass(storage, sources, rep == 0));
  }

  // --- (b) build + sign -----------------------------------------------------------------
  note("N=%lu: add_targets + publish", n);
  drop_caches(opt);
  Stopwatch add_watch;
  auto added = must(repository::add_targets(ctx, repo, requests), WHAT("add_targets"));
  const Span add = add_watch.elapsed();
  Stopwatch publish_watch;
  auto published = must(repository::publish(ctx, repo), WHAT("publish"));
  const Span publish = publish_watch.elapsed();
  Span build = add;
  build += publish;
  if (added.targets.size() != n)
    throw Failure{"add_targets reported " + std::to_string(added.targets.size()) + " targets"};
  if (published.targets != n) throw Failure{"publish signed " + std::to_string(published.targets) + " targets"};
  for (size_t i = 0; i < n; ++i)
    if (added.targets[i].sha256 != sources[i].sha256 || added.targets[i].length != sources[i].length)
      throw Failure{"add_targets recorded a different hash or length for '" + sources[i].name + "'"};
  auto size_of = [&](const fs::path& p) -> uint64_t {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) throw Failure{"no '" + p.string() + "' after publish"};
    return size;
  };
  const uint64_t targets_json_bytes =
      size_of(repo / "metadata" / (std::to_string(published.versions.targets) + ".targets.json"));
  const uint64_t staged_json_bytes = size_of(repo / "staged-targets.json");

  // --- (c) verification -------------------------------------------------------------------
  note("N=%lu: verifying", n);
  auto root_file = must(storage.open_input(repo / "metadata" / "1.root.json"), WHAT("reading 1.root.json"));
  const Bytes root_bytes(root_file->bytes().begin(), root_file->bytes().end());
  client::DirectorySource source(storage, repo);
  client::Updater updater(source, storage, std::nullopt, now);
  Stopwatch refresh_watch;
  must(updater.start(root_bytes), WHAT("client start"));
  must(updater.refresh(), WHAT("client refresh"));
  const Span refresh = refresh_watch.elapsed();
  const auto v = updater.versions();
  if (v.targets != published.versions.targets || v.snapshot != published.versions.snapshot)
    throw Failure{"the client trusts targets version " + std::to_string(v.targets) + ", the repository published " +
                  std::to_string(published.versions.targets)};

  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(opt.seed));
  Span find, download;
  size_t verified = 0;
  Stopwatch targets_watch;
  for (size_t idx : order) {
    const Source& s = sources[idx];
    Stopwatch find_watch;
    auto info = must(updater.find_target(s.name), WHAT("find_target '" + s.name + "'"));
    find += find_watch.elapsed();
    Stopwatch download_watch;
    auto bytes = must(updater.download_target(info), WHAT("download_target '" + s.name + "'"));
    download += download_watch.elapsed();
    auto h = info.file.hashes.find("sha256");
    if (bytes.size() != s.length || h == info.file.hashes.end() || h->second != s.sha256)
      throw Failure{"the client got a different file for '" + s.name + "'"};
    ++verified;
    if (opt.verify_budget > 0 && verified >= 100 && verified < n && targets_watch.elapsed().wall > opt.verify_budget) {
      note("N=%lu: verify budget of %.1f s spent after %zu of %lu targets; extrapolating", n, opt.verify_budget,
           verified, n);
      break;
    }
  }
  const Span targets_measured = targets_watch.elapsed();

  // --- explain: the staged copy alone ---------------------------------------------------------
  std::optional<Span> copy;
  if (opt.explain) {
    note("N=%lu: explain: timing the staged copy alone", n);
    copy = stage_copy(storage, sources, work / "copy");
  }

  for (unsigned long rep = reps_before; rep < opt.hash_reps; ++rep) {
    drop_caches(opt);
    hash_passes.push_back(hash_pass(storage, sources, false));
  }
  std::vector<Span> plain_passes;
  for (unsigned long rep = 0; rep < opt.hash_reps; ++rep) {
    drop_caches(opt);
    plain_passes.push_back(plain_hash_pass(sources));
  }

  // --- peers: sha256sum, and cp + sync -f, fastest of 3 each ------------------------------
  note("N=%lu: peers (sha256sum, cp)", n);
  const fs::path list = work / "peer-files";
  {
    std::string names;
    for (const auto& src : sources) names += src.file.string() + '\0';
    FILE* f = std::fopen(list.c_str(), "wb");
    bool ok = f && std::fwrite(names.data(), 1, names.size(), f) == names.size();
    if (f && std::fclose(f) != 0) ok = false;
    if (!ok) throw Failure{"writing '" + list.string() + "'"};
  }
  std::vector<Span> sum_passes, cp_passes;
  for (int rep = 0; rep < 3; ++rep) {
    drop_caches(opt);
    sum_passes.push_back(run_peer("xargs -0 sha256sum -- < " + quote_shell(list) + " > /dev/null"));
    const fs::path dest = work / ("peer-copy-" + std::to_string(rep));
    must(storage.create_directories(dest), WHAT("creating '" + dest.string() + "'"));
    drop_caches(opt);
    cp_passes.push_back(run_peer("xargs -0 cp -t " + quote_shell(dest) + " -- < " + quote_shell(list) +
                                 " && sync -f " + quote_shell(dest)));
  }
  // The fastest pass counts, wall clock and CPU time each.
  auto fastest = [](const std::vector<Span>& passes) {
    Span best = passes.front();
    for (const auto& p : passes) best = {std::min(best.wall, p.wall), std::min(best.cpu, p.cpu)};
    return best;
  };
  const Span hash = fastest(hash_passes), plain = fastest(plain_passes);
  const Span peer_sum = fastest(sum_passes), peer_cp = fastest(cp_passes);
  double hash_wall_max = 0;
  for (const auto& p : hash_passes) hash_wall_max = std::max(hash_wall_max, p.wall);

  // Totals for all N targets; the mean per measured target stands in for the rest.
  const double scale = double(n) / double(verified);
  const Span targets{targets_measured.wall * scale, targets_measured.cpu * scale};
  Span verify = refresh;
  verify += targets;
  const double per = 1e6 / double(n), per_verified = 1e6 / double(verified);

  json line = {
      {"targets", n},
      {"algorithm", std::string(crypto::to_string(opt.algo))},
      {"total_bytes", total_bytes},
      {"min_bytes", opt.min_bytes},
      {"max_bytes", opt.max_bytes},
      {"setup_seconds", r6(setup.wall)},
      {"hash_seconds", r6(hash.wall)},
      {"hash_seconds_max", r6(hash_wall_max)},
      {"hash_cpu_seconds", r6(hash.cpu)},
      {"hash_reps", opt.hash_reps},
      {"plain_hash_seconds", r6(plain.wall)},
      {"plain_hash_cpu_seconds", r6(plain.cpu)},
      {"plain_ratio", r3(build.wall / plain.wall)},
      {"add_seconds", r6(add.wall)},
      {"add_cpu_seconds", r6(add.cpu)},
      {"publish_seconds", r6(publish.wall)},
      {"publish_cpu_seconds", r6(publish.cpu)},
      {"build_sign_seconds", r6(build.wall)},
      {"build_sign_cpu_seconds", r6(build.cpu)},
      {"ratio", r3(build.wall / hash.wall)},
      {"cpu_ratio", r3(build.cpu / hash.cpu)},
      {"targets_json_bytes", targets_json_bytes},
      {"staged_json_bytes", staged_json_bytes},
      {"refresh_seconds", r6(refresh.wall)},
      {"refresh_cpu_seconds", r6(refresh.cpu)},
      {"verified_targets", verified},
      {"verify_extrapolated", verified < n},
      {"find_us_per_target", r3(find.wall * per_verified)},
      {"download_us_per_target", r3(download.wall * per_verified)},
      {"targets_seconds", r6(targets.wall)},
      {"verify_seconds", r6(verify.wall)},
      {"verify_cpu_seconds", r6(verify.cpu)},
      {"verify_us_per_target", r3(verify.wall * per)},
      {"verify_cpu_us_per_target", r3(verify.cpu * per)},
      {"cold", opt.cold},
      {"add_jobs", ctx.jobs},
      {"peer_sha256sum_seconds", r6(peer_sum.wall)},
      {"peer_cp_seconds", r6(peer_cp.wall)},
      {"peer_ratio", r3(build.wall / (peer_sum.wall + peer_cp.wall))},
      {"copy_seconds", copy ? json(r6(copy->wall)) : json(nullptr)},
      {"copy_cpu_seconds", copy ? json(r6(copy->cpu)) : json(nullptr)},
      {"publish_warnings", published.warnings},
      {"peak_rss_kib", peak_rss_kib()},
  };
  return line;
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
    if (arg == "--cold") {
      opt.cold = true;
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
    } else if (arg == "--src-dir") {
      opt.src_dir = value;
    } else if (arg == "--algo") {
      auto a = crypto::parse_algorithm(value);
      if (!a) return usage("--algo takes ed25519, ecdsa-p256 or rsa-pss-3072");
      opt.algo = *a;
    } else if (arg == "--min-bytes" || arg == "--max-bytes") {
      if (!parse_ulong(value, u) || u == 0 || u > (64ul << 20)) return usage("--min-bytes/--max-bytes take 1..64 MiB");
      (arg == "--min-bytes" ? opt.min_bytes : opt.max_bytes) = u;
    } else if (arg == "--jobs") {
      if (!parse_ulong(value, opt.jobs) || opt.jobs == 0 || opt.jobs > 256) return usage("--jobs takes 1..256");
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
  if (opt.counts.empty()) opt.counts = {1000, 10000};
  if (!fs::is_directory(opt.dir)) return usage(("--dir '" + opt.dir.string() + "' is not a directory").c_str());
  if (opt.src_dir.empty()) opt.src_dir = opt.dir;
  if (!fs::is_directory(opt.src_dir))
    return usage(("--src-dir '" + opt.src_dir.string() + "' is not a directory").c_str());

  int status = 0;
  try {
    const auto all_sources = write_sources(opt, *std::max_element(opt.counts.begin(), opt.counts.end()));
    for (unsigned long n : opt.counts) {
      std::printf("%s\n", run_one(opt, all_sources, n).dump().c_str());
      std::fflush(stdout);
    }
  } catch (const Failure& f) {
    std::fprintf(stderr, "ota-bench-manifest: %s\n", f.what.c_str());
    status = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ota-bench-manifest: %s\n", e.what());
    status = 1;
  }
  remove_work_dirs();
  note("done");
  return status;
}
