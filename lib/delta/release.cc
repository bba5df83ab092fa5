#include "delta/release.h"

#include <lzma.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cmath>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/hex.h"
#include "delta/anchored_scan.h"
#include "io/write_atomic.h"

namespace ota::delta {
namespace {

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::string extension(Algorithm algo) {
  switch (algo) {
    case Algorithm::kOta: return ".otad";
    case Algorithm::kBsdiff: return ".bsdiff";
    case Algorithm::kZstd: return ".zst";
    case Algorithm::kVcdiff: return ".vcdiff";
  }
  return ".patch";
}

// Discards what it is given: apply's own hashing proves the output.
class NullWriter final : public io::Writer {
 public:
  Result<void> write(ByteView) override { return {}; }
};

double rounded(double ratio) { return std::round(ratio * 10000.0) / 10000.0; }

nlohmann::json file_json(const ReleaseFile& f) {
  return {{"file", f.file}, {"size", f.size}, {"sha256", to_hex(f.sha256)}};
}

std::string index_json(const ReleaseReport& r) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& e : r.entries)
    sources.push_back({{"version", e.version},
                       {"size", e.source_size},
                       {"sha256", to_hex(e.source_sha256)},
                       {"delivery", e.use_delta ? "delta" : "full"},
                       {"delta", {{"algorithm", std::string(to_string(e.algorithm))},
                                  {"size", e.delta_size},
                                  {"ratio_to_full", rounded(e.ratio_to_full)}}},
                       {"patch", e.patch ? file_json(*e.patch) : nlohmann::json()}});
  nlohmann::json full = file_json(r.full_image);
  full["compression"] = "xz";
  const nlohmann::json index = {
      {"format", "ota-delta-release"},
      {"format_version", 1},
      {"target", {{"name", r.target_name}, {"size", r.target_size}, {"sha256", to_hex(r.target_sha256)}}},
      {"full_image", full},
      {"fallback_threshold", r.threshold},
      {"sources", sources}};
  return index.dump(2) + "\n";
}

// Files written so far; removed again unless the release completes.
class WrittenFiles {
 public:
  explicit WrittenFiles(io::Storage& fs) : fs_(fs) {}
  ~WrittenFiles() {
    if (!keep_)
      for (const auto& p : paths_) fs_.remove(p);
  }
  Result<void> write(const std::filesystem::path& path, ByteView bytes) {
    OTA_TRY(io::write_atomic(fs_, path, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(bytes); }));
    std::lock_guard<std::mutex> lock(mutex_);
    paths_.push_back(path);
    return {};
  }
  void keep() { keep_ = true; }

 private:
  io::Storage& fs_;
  std::mutex mutex_;
  std::vector<std::filesystem::path> paths_;
  bool keep_ = false;
};

Result<void> check_request(io::Storage& fs, const ReleaseRequest& req) {
  if (req.sources.empty()) return Error{Errc::invalid_argument, "no --from VERSION=OLD given"};
  if (req.algorithms.empty()) return Error{Errc::invalid_argument, "no algorithm to try"};
  if (!(req.threshold > 0 && req.threshold <= 1))
    return Error{Errc::invalid_argument, "--threshold must be in (0, 1], got " + std::to_string(req.threshold)};
  for (size_t i = 0; i < req.sources.size(); ++i) {
    const auto& s = req.sources[i];
    if (!valid_release_version(s.version))
      return Error{Errc::invalid_argument,
                   "--from: version '" + s.version +
                       "' is not a version name (letters, digits and . _ + ~ -, starting with a "
                       "letter or digit, at most 64 characters)"};
    for (size_t j = 0; j < i; ++j)
      if (req.sources[j].version == s.version)
        return Error{Errc::invalid_argument, "--from: version '" + s.version + "' is given twice"};
  }
  if (fs.is_directory(req.out_dir)) {
    auto names = fs.list_directory(req.out_dir);
    if (!names) return std::move(names).error();
    if (!names->empty())
      return Error{Errc::invalid_argument, "--out-dir " + quoted(req.out_dir) +
                                               " is not empty; name a new or empty directory "
                                               "(a release never mixes with older files)"};
    // So it holds no input either: the release never writes into an input directory.
  }
  return {};
}

// One source's smallest delta, applied once in memory before anyone trusts it: it must
// rebuild the target. The source is held only for this.
Result<BestPatch> make_checked_delta(io::Storage& fs, const ReleaseSource& s, ByteView new_data,
                                     const ReleaseRequest& req, const PhaseProgressFn& progress) {
  auto old_file = fs.open_input(s.path);
  if (!old_file) return std::move(old_file).error().with_context("reading --from " + s.version);
  const ByteView old_data = (*old_file)->bytes();
  auto best = encode_best(old_data, new_data, req.algorithms, req.encode, progress);
  if (!best) return best;
  NullWriter sink;
  auto applied = apply_patch_bytes(old_data, best->bytes, sink, ApplyLimits{.max_output_bytes = new_data.size()});
  if (!applied) return std::move(applied).error().with_context("checking the delta from " + s.version);
  if (applied->output_sha256 != best->report.new_sha256 || applied->output_size != new_data.size())
    return Error{Errc::io, "the delta from " + s.version + " does not rebuild the target; not published"};
  return best;
}

}  // namespace

Result<Bytes> compress_full_image(ByteView data, unsigned threads) {
  // Preset 9 for firmware-sized images; large images use preset 6 (8 MiB
  // dictionary, ~100 MiB per thread instead of ~700).
  const bool large = data.size() > (uint64_t(256) << 20);
  lzma_mt mt{};
  mt.threads = std::max(1u, std::min(threads, lzma_cputhreads()));
  mt.preset = large ? 6 : 9;
  mt.block_size = large ? (uint64_t(32) << 20) : (uint64_t(192) << 20);
  mt.check = LZMA_CHECK_CRC64;
  lzma_stream strm = LZMA_STREAM_INIT;
  if (lzma_stream_encoder_mt(&strm, &mt) != LZMA_OK)
    return Error{Errc::io, "the xz compressor could not start (out of memory?)"};
  Bytes out(std::max<size_t>(data.size() / 2, 1 << 16));
  strm.next_in = data.data();
  strm.avail_in = data.size();
  size_t used = 0;
  for (;;) {
    if (out.size() - used < (1 << 16)) out.resize(out.size() * 2);
    strm.next_out = out.data() + used;
    strm.avail_out = out.size() - used;
    const lzma_ret rc = lzma_code(&strm, LZMA_FINISH);
    used = out.size() - strm.avail_out;
    if (rc == LZMA_STREAM_END) break;
    if (rc != LZMA_OK) {
      lzma_end(&strm);
      return Error{Errc::io, "xz compression of the full image failed (liblzma error " +
                                 std::to_string(int(rc)) + ")"};
    }
  }
  lzma_end(&strm);
  out.resize(used);
  return out;
}

bool valid_release_version(std::string_view v) {
  if (v.empty() || v.size() > 64 || !std::isalnum(static_cast<unsigned char>(v[0]))) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '~' ||
           c == '-';
  });
}

Result<ReleaseReport> release_deltas(io::Storage& fs, const ReleaseRequest& req) {
  try {
    OTA_TRY(check_request(fs, req));
    auto new_file = fs.open_input(req.new_path);
    if (!new_file) return std::move(new_file).error().with_context("reading --to");
    const ByteView new_data = (*new_file)->bytes();
    // Sources are read one per worker when its turn comes (memory: `jobs` sources, not
    // all of them); a missing one is reported before any work starts.
    for (const auto& s : req.sources) {
      auto st = fs.stamp(s.path);
      if (!st) return std::move(st).error().with_context("reading --from " + s.version);
    }
    OTA_TRY(fs.create_directories(req.out_dir));

    ReleaseReport report;
    report.target_name = req.new_path.filename().string();
    report.target_size = new_data.size();
    report.threshold = req.threshold;
    // Default: one source per core, but one at a time for large images, whose working
    // set (the source, the anchors, three coders) is a large part of the machine.
    const bool large = new_data.size() >= detail::kAnchoredThresholdBytes;
    unsigned jobs = req.jobs ? req.jobs : large ? 1u : std::max(1u, std::thread::hardware_concurrency());
    if (!fs.thread_safe()) jobs = 1;

    // The full image compresses on its own thread(s) while the deltas are made.
    auto full = std::async(std::launch::async, [&] { return compress_full_image(new_data, jobs); });
    auto target_digest = std::async(std::launch::async, [&] { return crypto::sha256(new_data); });

    // Sources are taken from a shared counter by `jobs` workers; results land in
    // their own slot, so the order of completion changes nothing.
    std::vector<std::optional<Result<BestPatch>>> made(req.sources.size());
    std::atomic<size_t> next{0};
    std::atomic<uint64_t> done_sources{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < req.sources.size();) {
        const auto& s = req.sources[i];
        PhaseProgressFn progress;
        if (req.progress && jobs == 1)
          progress = [&](std::string_view phase, uint64_t d, uint64_t t) {
            req.progress("from " + s.version + ": " + std::string(phase), d, t);
          };
        made[i] = make_checked_delta(fs, s, new_data, req, progress);
        if (req.progress && jobs > 1) req.progress("deltas", ++done_sources, req.sources.size());
      }
    };
    {
      std::vector<std::future<void>> workers;
      for (unsigned w = 1; w < std::min<size_t>(jobs, req.sources.size()); ++w)
        workers.push_back(std::async(std::launch::async, worker));
      worker();
      for (auto& w : workers) w.get();
    }
    report.target_sha256 = target_digest.get();
    auto full_bytes = full.get();
    if (!full_bytes) return std::move(full_bytes).error();

    WrittenFiles written(fs);
    report.full_image = ReleaseFile{report.target_name + ".xz", full_bytes->size(), crypto::sha256(*full_bytes)};
    for (size_t i = 0; i < req.sources.size(); ++i) {
      const auto& s = req.sources[i];
      auto& best = *made[i];
      if (!best) return std::move(best).error().with_context("delta from " + s.version);
      ReleaseEntry e;
      e.version = s.version;
      e.encode = best->report;
      e.source_size = best->report.old_size;
      e.source_sha256 = best->report.old_sha256;
      e.algorithm = best->report.algorithm;
      e.delta_size = best->bytes.size();
      e.ratio_to_full = full_bytes->empty() ? 1.0 : double(e.delta_size) / double(full_bytes->size());
      e.use_delta = e.ratio_to_full < req.threshold;
      if (e.use_delta) {
        e.patch = ReleaseFile{report.target_name + ".from-" + s.version + extension(e.algorithm),
                              best->bytes.size(), crypto::sha256(best->bytes)};
        OTA_TRY(written.write(req.out_dir / e.patch->file, best->bytes));
      }
      best->bytes = Bytes();  // free it before the next one
      report.entries.push_back(std::move(e));
    }
    OTA_TRY(written.write(req.out_dir / report.full_image.file, *full_bytes));
    report.index_json = index_json(report);
    report.index_path = req.out_dir / "index.json";
    const std::string& text = report.index_json;
    OTA_TRY(written.write(report.index_path,
                          ByteView{reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
    written.keep();
    return report;
  } catch (const std::system_error& e) {
    return Error{Errc::io, std::string("making the release: ") + e.what()};
  } catch (const std::bad_alloc&) {
    return Error{Errc::io, "making the release: out of memory"};
  }
}

}  // namespace ota::delta
