#include "release/merge.h"

#include <nlohmann/json.hpp>

#include <map>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "release/shards.h"

namespace ota::release {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Found {
  fs::path dir;
  json doc;
};

Result<std::string> read_text(io::Storage& storage, const fs::path& path) {
  auto in = storage.open_input(path);
  if (!in) return std::move(in).error();
  const ByteView b = (*in)->bytes();
  return std::string(b.begin(), b.end());
}

// Every result JSON in the directories, by item; identical duplicates are one result.
Result<std::map<std::string, Found>> collect(io::Storage& storage, const std::vector<fs::path>& dirs) {
  std::map<std::string, Found> found;
  for (const auto& dir : dirs) {
    auto names = storage.list_directory(dir);
    if (!names) return std::move(names).error().with_context("--results '" + dir.string() + "'");
    for (const auto& name : *names) {
      if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
      auto text = read_text(storage, dir / name);
      if (!text) return std::move(text).error();
      json doc = json::parse(*text, nullptr, false);
      if (doc.is_discarded() || !doc.is_object() || doc.value("format", "") != "ota-release-result")
        return Error{Errc::corrupt, (dir / name).string() + ": not an ota-release result"};
      const std::string item = doc.value("item", "");
      auto [it, inserted] = found.try_emplace(item, Found{dir, doc});
      if (!inserted && it->second.doc.value("sha256", "") != doc.value("sha256", ""))
        return Error{Errc::rejected, "two different results for item " + item + ": in '" + it->second.dir.string() +
                                         "' and '" + dir.string() + "'; build it once"};
    }
  }
  return found;
}

}  // namespace

Result<MergeReport> merge_results(repository::Context& ctx, const LoadedPlan& plan,
                                  const std::vector<fs::path>& result_dirs, const fs::path& repo) {
  io::Storage& storage = ctx.fs;
  auto found = collect(storage, result_dirs);
  if (!found) return std::move(found).error();
  const std::vector<WorkItem> items = work_items(plan);

  // Every item has exactly one result, for the plan's inputs, with an intact payload.
  std::map<std::string, const Found*> result_of;
  for (const auto& w : items) {
    const auto it = found->find(w.id);
    if (it == found->end())
      return Error{Errc::not_found, "no result for " + std::string(w.delta ? "the delta " + w.source_file + " -> " : "the full image ") +
                                        w.target_file + " (item " + w.id + "): a shard is missing; the campaign cannot start"};
    const json& d = it->second.doc;
    if (d.value("target_sha256", "") != w.target_sha256 || (w.delta && d.value("source_sha256", "") != w.source_sha256))
      return Error{Errc::rejected, (it->second.dir / (w.id + ".json")).string() + ": built from other inputs than the plan (source " +
                                       d.value("source_sha256", "-") + ", target " + d.value("target_sha256", "-") + ")"};
    // The payload is the item's own file in the same directory, nothing else.
    const std::string algorithm = d.value("algorithm", "");
    const bool known = w.delta ? algorithm == "ota" || algorithm == "bsdiff" || algorithm == "zstd" || algorithm == "vcdiff"
                               : algorithm == "xz";
    const std::string kind = w.rollback ? "rollback" : w.delta ? "delta" : "full";
    if (!known || d.value("file", "") != w.id + "." + algorithm || d.value("kind", "") != kind)
      return Error{Errc::rejected, (it->second.dir / (w.id + ".json")).string() + ": names a payload other than " + w.id +
                                       ".<algorithm> of kind " + kind};
    const fs::path payload = it->second.dir / d.value("file", "");
    auto bytes = storage.open_input(payload);
    if (!bytes) return std::move(bytes).error().with_context("item " + w.id);
    if (to_hex(crypto::sha256((*bytes)->bytes())) != d.value("sha256", ""))
      return Error{Errc::rejected, payload.string() + ": does not match its result JSON (truncated or altered)"};
    result_of[w.id] = &it->second;
  }
  // Results the plan does not know: another plan's shard in the wrong directory.
  for (const auto& [item, f] : *found)
    if (!result_of.count(item))
      return Error{Errc::rejected, (f.dir / (item + ".json")).string() + ": not an item of this plan (built from another plan?)"};

  MergeReport report;
  if (!storage.is_directory(repo / "metadata")) {
    auto text = read_text(storage, plan.repository_config);
    if (!text) return std::move(text).error().with_context("the plan's repository config");
    auto config = repository::parse_config(*text, fs::path(plan.repository_config).parent_path());
    if (!config) return std::move(config).error().with_context("'" + plan.repository_config + "'");
    auto made = repository::init(ctx, *config, repo);
    if (!made) return std::move(made).error();
    report.created = true;
  }

  // Per image: the deltas that pay (at most max_ratio of the compressed full image).
  std::vector<repository::AddRequest> requests;
  std::map<std::pair<std::string, std::string>, uint64_t> payload_of;  // (hardware id, version) -> bytes
  for (const auto& img : plan.images) {
    const Found* full = result_of.at(img.sha256);
    const uint64_t full_size = full->doc.value("size", uint64_t(0));
    repository::AddRequest req;
    req.file = img.file;
    req.name = img.hardware_id + "/" + fs::path(img.file).filename().string();
    req.version = plan.version;
    req.hardware_ids = {img.hardware_id};
    MergedTarget t{img.hardware_id, req.name, {}};
    for (const auto& w : items) {
      if (!w.delta || w.rollback || w.hardware_id != img.hardware_id) continue;
      const Found* r = result_of.at(w.id);
      const uint64_t size = r->doc.value("size", uint64_t(0));
      if (double(size) > plan.max_ratio * double(full_size)) continue;  // the full image is cheaper to ship
      for (const auto& v : w.from_versions) {
        req.deltas.push_back({v, r->dir / r->doc.value("file", "")});
        t.delta_versions.push_back(v);
        payload_of[{img.hardware_id, v}] = size;
      }
    }
    requests.push_back(std::move(req));
    report.targets.push_back(std::move(t));
  }
  // The way back: each previous image a rollback may return to, as a target of its own
  // version with the reverse delta from the release, so rollback assignments resolve.
  for (const auto& w : items) {
    if (!w.rollback) continue;
    const Found* r = result_of.at(w.id);
    repository::AddRequest req;
    req.file = w.target_file;
    req.name = w.hardware_id + "/" + fs::path(w.target_file).filename().string();
    req.version = w.from_versions.front();
    req.hardware_ids = {w.hardware_id};
    req.deltas.push_back({plan.version, r->dir / r->doc.value("file", "")});
    report.rollback_targets.push_back(req.name);
    requests.push_back(std::move(req));
  }
  auto added = repository::add_targets(ctx, repo, requests);
  if (!added) return std::move(added).error();
  auto published = repository::publish(ctx, repo);
  if (!published) return std::move(published).error();
  report.published = *published;

  // The cost again, from what devices will really download: a delta, or the image itself.
  std::map<std::string, uint64_t> image_size;
  for (const auto& img : plan.images) image_size[img.hardware_id] = img.size;
  for (const auto& s : plan.segments)
    for (const auto& v : s.vehicles) {
      report.estimated_micro_usd += v.micro_usd;
      for (const auto& e : v.ecus) {
        if (e.installed_version == plan.version) continue;
        const auto d = payload_of.find({e.hardware_id, e.installed_version});
        const uint64_t bytes = d != payload_of.end() ? d->second : image_size[e.hardware_id];
        const auto with_overhead = uint64_t(double(bytes) * (1 + plan.protocol_overhead) + 0.5);
        report.payload_bytes += bytes;
        report.micro_usd += uint64_t(double(with_overhead) * plan.price(e.region) + 0.5);
      }
    }
  return report;
}

}  // namespace ota::release
