#include "release/shards.h"

#include <algorithm>
#include <map>

namespace ota::release {

std::vector<WorkItem> work_items(const LoadedPlan& plan) {
  std::map<std::string, WorkItem> items;
  for (const auto& img : plan.images) {
    WorkItem full;
    full.id = img.sha256;
    full.hardware_id = img.hardware_id;
    full.target_file = img.file;
    full.target_sha256 = img.sha256;
    full.weight = img.size;
    items.emplace(full.id, full);
    for (const auto& row : plan.matrix) {
      if (row.hardware_id != img.hardware_id || row.payload != "delta") continue;
      const auto src = img.sources.find(row.from_version);
      if (src == img.sources.end()) continue;
      const std::string id = src->second.sha256 + "_" + img.sha256;
      auto [it, inserted] = items.try_emplace(id);
      WorkItem& w = it->second;
      if (inserted) {
        w.id = id;
        w.delta = true;
        w.hardware_id = img.hardware_id;
        w.source_file = src->second.file;
        w.source_sha256 = src->second.sha256;
        w.target_file = img.file;
        w.target_sha256 = img.sha256;
        w.weight = src->second.size + img.size;
      }
      w.from_versions.push_back(row.from_version);
      // The way back, should the segment roll back: release image -> this source.
      auto [back, fresh] = items.try_emplace(img.sha256 + "_" + src->second.sha256);
      WorkItem& r = back->second;
      if (fresh) {
        r.id = back->first;
        r.delta = r.rollback = true;
        r.hardware_id = img.hardware_id;
        r.source_file = img.file;
        r.source_sha256 = img.sha256;
        r.target_file = src->second.file;
        r.target_sha256 = src->second.sha256;
        r.weight = src->second.size + img.size;
      }
      r.from_versions.push_back(row.from_version);
    }
  }
  std::vector<WorkItem> out;
  for (auto& [id, w] : items) out.push_back(std::move(w));
  return out;
}

std::vector<std::vector<size_t>> assign_shards(const std::vector<WorkItem>& items, size_t shards) {
  shards = std::max<size_t>(1, std::min(shards, items.size()));
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return items[a].weight != items[b].weight ? items[a].weight > items[b].weight : items[a].id < items[b].id;
  });
  std::vector<std::vector<size_t>> out(shards);
  std::vector<uint64_t> load(shards, 0);
  for (size_t i : order) {
    const size_t k = size_t(std::min_element(load.begin(), load.end()) - load.begin());
    out[k].push_back(i);
    load[k] += items[i].weight;
  }
  for (auto& s : out) std::sort(s.begin(), s.end());
  return out;
}

}  // namespace ota::release
