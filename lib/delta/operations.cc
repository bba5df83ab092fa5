#include "delta/operations.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <new>
#include <string>
#include <system_error>

#include "core/hex.h"
#include "delta/anchored_scan.h"
#include "delta/bsdiff.h"
#include "delta/vcdiff.h"
#include "io/write_atomic.h"

namespace ota::delta {
namespace {

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }
std::string short_hex(const crypto::Sha256Digest& d) { return to_hex({d.data(), 8}) + "…"; }

// Hashes and counts what passes through, so the output is proven while it streams.
// A large write is hashed on a second thread while it is being written.
class HashingWriter final : public io::Writer {
 public:
  explicit HashingWriter(io::Writer& next) : next_(next) {}
  Result<void> write(ByteView data) override {
    size_ += data.size();
    if (data.size() < kParallelBytes) {
      hash_.update(data);
      return next_.write(data);
    }
    auto hashed = std::async(std::launch::async, [&] { hash_.update(data); });
    auto written = next_.write(data);
    hashed.get();  // `data` must outlive the hashing
    return written;
  }
  uint64_t size() const { return size_; }
  crypto::Sha256Digest finish() { return hash_.finish(); }

 private:
  static constexpr size_t kParallelBytes = size_t(4) << 20;
  io::Writer& next_;
  crypto::Sha256 hash_;
  uint64_t size_ = 0;
};

Result<std::unique_ptr<io::InputFile>> open_named(io::Storage& fs, const std::filesystem::path& p,
                                                  const char* role) {
  auto f = fs.open_input(p);
  if (!f) return std::move(f).error().with_context(std::string("reading ") + role);
  return f;
}

Result<void> check_output(io::Storage& fs, const std::filesystem::path& out,
                          std::initializer_list<std::filesystem::path> inputs) {
  if (fs.is_directory(out))
    return Error{Errc::invalid_argument, "--out " + quoted(out) + " is a directory; name a file"};
  for (const auto& in : inputs)
    if (fs.same_file(out, in))
      return Error{Errc::invalid_argument,
                   "--out " + quoted(out) + " is the input " + quoted(in) + "; write elsewhere"};
  return {};
}

}  // namespace

namespace {

// The codec's bytes alone; the trailer is added once the winner is known.
Result<EncodedPatch> encode_payload(Algorithm algo, ByteView old_data, ByteView new_data,
                                    const EncodeOptions& options, const ProgressFn& progress) {
  try {
    EncodedPatch out;
    if (algo == Algorithm::kBsdiff) {
      BsdiffParams params;
      if (options.thorough) params.match_gains = kThoroughMatchGains;
      auto patch = bsdiff_encode(old_data, new_data, params, progress);
      if (!patch) return std::move(patch).error();
      out.bytes = std::move(patch->bytes);
      out.variant = "match_gain=" + std::to_string(patch->match_gain);
    } else if (algo == Algorithm::kOta) {
      auto patch = ota_encode(old_data, new_data, options.ota, progress);
      if (!patch) return std::move(patch).error();
      out.bytes = std::move(patch->bytes);
      out.variant = "match_gain=" + std::to_string(patch->match_gain) +
                    ",filter=" + std::string(to_string(patch->filter));
    } else if (algo == Algorithm::kVcdiff) {
      auto patch = vcdiff_encode(old_data, new_data, {}, progress);
      if (!patch) return std::move(patch).error();
      out.bytes = std::move(*patch);
      out.variant = "adler32";
    } else {
      auto patch = zstd_encode(old_data, new_data, options.zstd_level, progress);
      if (!patch) return std::move(patch).error();
      out.bytes = std::move(*patch);
      out.variant = "level=" + std::to_string(options.zstd_level);
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Error{Errc::io, "out of memory encoding with " + std::string(to_string(algo))};
  } catch (const std::system_error& e) {  // std::async could not start a thread
    return Error{Errc::io, "encoding with " + std::string(to_string(algo)) + ": " + e.what()};
  }
}

size_t trailer_bytes(Algorithm algo, const EncodeOptions& options) {
  if (!options.trailer || algo == Algorithm::kOta) return 0;
  if (algo == Algorithm::kVcdiff) return vcdiff_trailer_bytes();
  return kTrailerBodyBytes + (algo == Algorithm::kZstd ? 8 : 0);
}

Trailer make_trailer(ByteView old_data, ByteView new_data) {
  return Trailer{old_data.size(), new_data.size(), crypto::sha256(old_data),
                 crypto::sha256(new_data)};
}

// Threads are started with std::async; if the system refuses one, say so instead of
// letting std::system_error escape the library.
template <class Fn>
auto guarded(const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::system_error& e) {
    return Error{Errc::io, std::string(what) + ": " + e.what()};
  } catch (const std::bad_alloc&) {
    return Error{Errc::io, std::string(what) + ": out of memory"};
  }
}

}  // namespace

Result<EncodedPatch> encode_patch(Algorithm algo, ByteView old_data, ByteView new_data,
                                  const EncodeOptions& options, const ProgressFn& progress) {
  auto patch = encode_payload(algo, old_data, new_data, options, progress);
  if (patch && options.trailer) append_trailer(patch->bytes, algo, make_trailer(old_data, new_data));
  return patch;
}

static Result<ApplyOutcome> apply_unguarded(ByteView old_data, ByteView patch, io::Writer& out,
                                            const ApplyLimits& limits, const ProgressFn& progress);

Result<ApplyOutcome> apply_patch_bytes(ByteView old_data, ByteView patch, io::Writer& out,
                                       const ApplyLimits& limits, const ProgressFn& progress) {
  return guarded("applying the patch",
                 [&] { return apply_unguarded(old_data, patch, out, limits, progress); });
}

static Result<ApplyOutcome> apply_unguarded(ByteView old_data, ByteView patch, io::Writer& out,
                                            const ApplyLimits& limits, const ProgressFn& progress) {
  auto algo = detect_format(patch);
  if (!algo) return std::move(algo).error();
  const SplitPatch split = split_trailer(patch, *algo);
  // The source digest is checked while the patch decodes (the output is not yet
  // published); a mismatch is reported in preference to whatever the decoder said.
  // The ota container checks it before decoding: not one byte reaches `out` (a
  // device's inactive slot) from the wrong source.
  // A thread only pays when the hash overlaps a long decode: not for the ota container
  // (checked first) nor for a small source (a device's sweep applies thousands).
  const bool source_first = *algo == Algorithm::kOta;
  std::future<crypto::Sha256Digest> source_digest;
  if (split.trailer)
    source_digest = std::async(source_first || old_data.size() < (size_t(4) << 20) ? std::launch::deferred
                                                                                    : std::launch::async,
                               [old_data] { return crypto::sha256(old_data); });
  auto check_source = [&]() -> Result<void> {
    if (!split.trailer) return {};
    const auto found = source_digest.get();
    if (old_data.size() == split.trailer->old_size && found == split.trailer->old_sha256) return {};
    return Error{Errc::rejected, "the source is not the file this patch was made from: "
                                 "expected sha256 " + short_hex(split.trailer->old_sha256) +
                                     " (" + std::to_string(split.trailer->old_size) +
                                     " bytes), found " + short_hex(found) + " (" +
                                     std::to_string(old_data.size()) +
                                     " bytes); apply it to the version it was made for"};
  };
  if (source_first) OTA_TRY(check_source());
  HashingWriter hashed(out);
  auto written = *algo == Algorithm::kBsdiff   ? bsdiff_apply(old_data, split.payload, hashed, limits, progress)
                 : *algo == Algorithm::kVcdiff ? vcdiff_apply(old_data, split.payload, hashed, limits, progress)
                 : *algo == Algorithm::kOta    ? ota_apply(old_data, split.payload, hashed, limits, progress)
                                               : zstd_apply(old_data, split.payload, hashed, limits, progress);
  if (!source_first) OTA_TRY(check_source());
  if (!written) return std::move(written).error();
  ApplyOutcome outcome{*algo, hashed.size(), hashed.finish(), false};
  if (split.trailer) {
    if (outcome.output_size != split.trailer->new_size ||
        outcome.output_sha256 != split.trailer->new_sha256)
      return Error{Errc::rejected, "the output does not match the target recorded in the patch: "
                                   "expected sha256 " + short_hex(split.trailer->new_sha256) +
                                       ", got " + short_hex(outcome.output_sha256) +
                                       "; the patch is corrupt"};
    outcome.verified = true;
  }
  return outcome;
}

Result<BestPatch> encode_best(ByteView old_data, ByteView new_data, const std::vector<Algorithm>& requested,
                              const EncodeOptions& options, const PhaseProgressFn& phase_progress) {
  if (requested.empty()) return Error{Errc::invalid_argument, "no algorithm to try"};
  // Large images: several candidates at once would each hold their own working set
  // (zstd's window, VCDIFF's, the ota coders), so a choice among several keeps ota,
  // whose memory is bounded (docs/delta.md, "Large images").
  std::vector<Algorithm> algorithms = requested;
  const bool large = std::max(old_data.size(), new_data.size()) >= detail::kAnchoredThresholdBytes;
  if (large && algorithms.size() > 1 &&
      std::find(algorithms.begin(), algorithms.end(), Algorithm::kOta) != algorithms.end())
    algorithms = {Algorithm::kOta};
  // The digests (for the trailer and the report) are computed while encoding.
  auto digests = std::async(std::launch::async, make_trailer, old_data, new_data);
  auto run = [&](Algorithm algo) {
    auto start = std::chrono::steady_clock::now();
    ProgressFn progress;
    if (phase_progress)
      progress = [&phase_progress, algo](uint64_t d, uint64_t t) { phase_progress(to_string(algo), d, t); };
    auto patch = encode_payload(algo, old_data, new_data, options, progress);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::make_pair(std::move(patch), secs);
  };
  // Candidates run concurrently (two cores are common on CI runners); each is
  // deterministic, and the choice below does not depend on which finishes first.
  std::vector<std::future<std::pair<Result<EncodedPatch>, double>>> jobs;
  for (size_t i = 1; i < algorithms.size(); ++i)
    jobs.push_back(std::async(std::launch::async, run, algorithms[i]));
  std::vector<std::pair<Result<EncodedPatch>, double>> results;
  results.push_back(run(algorithms[0]));
  for (auto& job : jobs) results.push_back(job.get());
  const Trailer trailer = digests.get();

  BestPatch out;
  CreateReport& report = out.report;
  std::optional<size_t> best;
  for (size_t i = 0; i < results.size(); ++i) {
    Candidate c{algorithms[i], std::nullopt, {}, results[i].second, {}};
    if (results[i].first) {
      c.patch_size = results[i].first->bytes.size() + trailer_bytes(c.algorithm, options);
      c.variant = results[i].first->variant;
      if (!best || *c.patch_size < *report.candidates[*best].patch_size) best = i;
    } else {
      c.error = results[i].first.error().message;
    }
    report.candidates.push_back(c);
  }
  if (!best) return std::move(results[0].first).error();

  report.algorithm = algorithms[*best];
  out.bytes = std::move(results[*best].first->bytes);
  if (options.trailer) append_trailer(out.bytes, report.algorithm, trailer);
  report.variant = results[*best].first->variant;
  report.patch_size = out.bytes.size();
  report.old_size = old_data.size();
  report.new_size = new_data.size();
  report.old_sha256 = trailer.old_sha256;
  report.new_sha256 = trailer.new_sha256;
  report.trailer = options.trailer || report.algorithm == Algorithm::kOta;
  return out;
}

static Result<CreateReport> create_patch_unguarded(io::Storage& fs, const CreateRequest& req);

Result<CreateReport> create_patch(io::Storage& fs, const CreateRequest& req) {
  return guarded("creating the patch", [&] { return create_patch_unguarded(fs, req); });
}

static Result<CreateReport> create_patch_unguarded(io::Storage& fs, const CreateRequest& req) {
  if (req.algorithms.empty()) return Error{Errc::invalid_argument, "no algorithm to try"};
  OTA_TRY(check_output(fs, req.out_path, {req.old_path, req.new_path}));
  auto old_file = open_named(fs, req.old_path, "--from");
  if (!old_file) return std::move(old_file).error();
  auto new_file = open_named(fs, req.new_path, "--to");
  if (!new_file) return std::move(new_file).error();
  const ByteView old_data = (*old_file)->bytes(), new_data = (*new_file)->bytes();

  auto best = encode_best(old_data, new_data, req.algorithms, req.encode, req.progress);
  if (!best) return std::move(best).error();
  CreateReport& report = best->report;
  const Bytes& patch = best->bytes;
  OTA_TRY(io::write_atomic(fs, req.out_path, io::FileMode::kPublic,
                           [&](io::Writer& w) { return w.write(patch); }));
  return report;
}

Result<ApplyOutcome> apply_patch(io::Storage& fs, const ApplyRequest& req) {
  OTA_TRY(check_output(fs, req.out_path, {req.old_path, req.patch_path}));
  auto old_file = open_named(fs, req.old_path, "--from");
  if (!old_file) return std::move(old_file).error();
  auto patch_file = open_named(fs, req.patch_path, "--patch");
  if (!patch_file) return std::move(patch_file).error();

  ProgressFn progress;
  if (req.progress) progress = [&req](uint64_t d, uint64_t t) { req.progress("apply", d, t); };
  std::optional<ApplyOutcome> outcome;
  auto written = io::write_atomic(fs, req.out_path, io::FileMode::kPublic, [&](io::Writer& w) -> Result<void> {
    auto applied = apply_patch_bytes((*old_file)->bytes(), (*patch_file)->bytes(), w, req.limits,
                                     progress);
    if (!applied) return std::move(applied).error();
    outcome = *applied;
    return {};
  });
  if (!written) return std::move(written).error();
  return *outcome;
}

Result<PatchReport> inspect_patch(io::Storage& fs, const std::filesystem::path& patch_path) {
  auto file = open_named(fs, patch_path, "the patch");
  if (!file) return std::move(file).error();
  const ByteView bytes = (*file)->bytes();
  auto algo = detect_format(bytes);
  if (!algo) return std::move(algo).error();
  PatchReport report;
  report.algorithm = *algo;
  report.patch_size = bytes.size();
  const SplitPatch split = split_trailer(bytes, *algo);
  report.trailer = split.trailer;
  if (*algo == Algorithm::kBsdiff) {
    auto header = parse_bsdiff_header(split.payload);
    if (!header) return std::move(header).error();
    report.bsdiff = *header;
  } else if (*algo == Algorithm::kOta) {
    auto header = parse_ota_header(split.payload);
    if (!header) return std::move(header).error();
    report.ota = *header;
  } else if (*algo == Algorithm::kVcdiff) {
    auto info = inspect_vcdiff(split.payload);
    if (!info) return std::move(info).error();
    report.vcdiff = *info;
  } else {
    auto info = inspect_zstd_patch(split.payload);
    if (!info) return std::move(info).error();
    report.zstd = *info;
  }
  return report;
}

}  // namespace ota::delta
