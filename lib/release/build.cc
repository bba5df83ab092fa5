#include "release/build.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "delta/operations.h"
#include "delta/release.h"
#include "io/write_atomic.h"
#include "release/shards.h"

namespace ota::release {
namespace {

namespace fs = std::filesystem;

// Reads an input and proves it is the file the plan was made from.
Result<std::unique_ptr<io::InputFile>> read_planned(io::Storage& storage, const std::string& path,
                                                    const std::string& sha256) {
  auto in = storage.open_input(path);
  if (!in) return std::move(in).error();
  const std::string actual = to_hex(crypto::sha256((*in)->bytes()));
  if (actual != sha256)
    return Error{Errc::rejected, "'" + path + "' has SHA-256 " + actual + ", the plan says " + sha256 +
                                     ": it changed after ota-release plan; plan again"};
  return in;
}

// apply_patch_bytes hashes what it writes; the bytes themselves are not needed.
class Discard final : public io::Writer {
 public:
  Result<void> write(ByteView) override { return {}; }
};

Result<void> put(io::Storage& storage, const fs::path& dest, ByteView bytes) {
  return io::write_atomic(storage, dest, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(bytes); });
}

}  // namespace

Result<ShardSpec> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto number = [](const std::string& s, size_t& v) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    v = std::stoul(s);
    return true;
  };
  ShardSpec s;
  if (slash == std::string::npos || !number(text.substr(0, slash), s.index) || !number(text.substr(slash + 1), s.count) ||
      s.count == 0 || s.index >= s.count)
    return Error{Errc::invalid_argument, "--shard '" + text + "': expected I/K with 0 <= I < K"};
  return s;
}

Result<std::vector<ItemResult>> build_shard(io::Storage& storage, const LoadedPlan& plan, const ShardSpec& shard,
                                            const fs::path& out, const std::string& tool_version) {
  const std::vector<WorkItem> items = work_items(plan);
  const auto shards = assign_shards(items, shard.count);
  std::vector<ItemResult> results;
  OTA_TRY(storage.create_directories(out));
  if (shard.index >= shards.size()) return results;  // more shards than items: this one is idle
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i : shards[shard.index]) {
    const WorkItem& w = items[i];
    const auto start = std::chrono::steady_clock::now();
    auto target = read_planned(storage, w.target_file, w.target_sha256);
    if (!target) return std::move(target).error();
    ItemResult r;
    r.item = w.id;
    r.kind = w.rollback ? "rollback" : w.delta ? "delta" : "full";
    Bytes payload;
    uint64_t source_size = 0;
    if (w.delta) {
      auto source = read_planned(storage, w.source_file, w.source_sha256);
      if (!source) return std::move(source).error();
      source_size = (*source)->bytes().size();
      const std::vector<delta::Algorithm> all(std::begin(delta::kAllAlgorithms), std::end(delta::kAllAlgorithms));
      auto best = delta::encode_best((*source)->bytes(), (*target)->bytes(), all, delta::EncodeOptions{});
      if (!best) return std::move(best).error().with_context("delta " + w.source_file + " -> " + w.target_file);
      // Applied once before it is written: a delta that does not rebuild its target never
      // leaves the shard (the apply also checks the trailer's source and target hashes).
      Discard rebuilt;
      auto applied = delta::apply_patch_bytes((*source)->bytes(), best->bytes, rebuilt,
                                              delta::ApplyLimits{.max_output_bytes = (*target)->bytes().size()});
      if (!applied || to_hex(applied->output_sha256) != w.target_sha256)
        return Error{Errc::io, "the delta " + w.source_file + " -> " + w.target_file + " does not rebuild the target" +
                                   (applied ? "" : ": " + applied.error().message)};
      r.algorithm = std::string(delta::to_string(best->report.algorithm));
      payload = std::move(best->bytes);
    } else {
      auto xz = delta::compress_full_image((*target)->bytes(), threads);
      if (!xz) return std::move(xz).error().with_context("compressing " + w.target_file);
      r.algorithm = "xz";
      payload = std::move(*xz);
    }
    r.file = w.id + "." + r.algorithm;
    r.size = payload.size();
    r.sha256 = to_hex(crypto::sha256(payload));
    OTA_TRY(put(storage, out / r.file, payload));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json doc = {{"format", "ota-release-result"},
                          {"format_version", 1},
                          {"item", w.id},
                          {"kind", r.kind},
                          {"hardware_id", w.hardware_id},
                          {"target_sha256", w.target_sha256},
                          {"target_size", (*target)->bytes().size()},
                          {"algorithm", r.algorithm},
                          {"file", r.file},
                          {"size", r.size},
                          {"sha256", r.sha256},
                          {"tool", tool_version},
                          {"seconds", std::round(r.seconds * 1000) / 1000}};
    if (w.delta) {
      doc["source_sha256"] = w.source_sha256;
      doc["source_size"] = source_size;
      doc[w.rollback ? "restores_versions" : "from_versions"] = w.from_versions;
    }
    const std::string text = doc.dump(2) + "\n";
    OTA_TRY(put(storage, out / (w.id + ".json"), ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace ota::release
