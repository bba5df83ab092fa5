#include "repository/director.h"

#include <set>

#include "client/updater.h"
#include "io/write_atomic.h"
#include "repository/batch_files.h"

namespace ota::repository {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

}  // namespace

namespace {

// The image repository, verified from its root like a vehicle's primary would.
Result<std::unique_ptr<client::Updater>> open_image_repository(Context& ctx, const fs::path& image_repo,
                                                               const fs::path& image_root,
                                                               std::unique_ptr<client::DirectorySource>& source) {
  auto root = ctx.fs.open_input(image_root);
  if (!root) return std::move(root).error();
  source = std::make_unique<client::DirectorySource>(ctx.fs, image_repo);
  auto image = std::make_unique<client::Updater>(*source, ctx.fs, std::nullopt, ctx.now);
  OTA_TRY(image->start((*root)->bytes()));
  if (auto ok = image->refresh(); !ok) return std::move(ok).error().with_context("image repository");
  return image;
}

Result<DirectorReport> assign_with(Context& ctx, const fs::path& director_repo, const DirectorRequest& req,
                                   client::Updater& image) {
  json staged = json::object();
  DirectorReport report;
  for (const auto& e : req.ecus) {
    auto info = image.find_target(e.target);
    if (!info) return std::move(info).error().with_context("ECU '" + e.ecu_serial + "'");
    const json custom = info->file.custom ? *info->file.custom : json::object();
    bool hw_ok = false;
    if (custom.contains("hardware_ids"))
      for (const auto& hw : custom["hardware_ids"]) hw_ok = hw_ok || hw == e.hardware_id;
    if (!hw_ok)
      return Error{Errc::rejected, "ECU '" + e.ecu_serial + "': image '" + e.target + "' is not built for hardware id '" +
                                       e.hardware_id + "' (it lists " +
                                       (custom.contains("hardware_ids") ? custom["hardware_ids"].dump() : "none") + ")"};
    client::TargetInfo chosen = *info;
    bool delta = false;
    if (e.installed_version && custom.contains("deltas") && custom["deltas"].contains(*e.installed_version)) {
      auto d = image.find_target(custom["deltas"][*e.installed_version]["target"].get<std::string>());
      if (!d) return std::move(d).error().with_context("ECU '" + e.ecu_serial + "' delta");
      chosen = *d;
      delta = true;
    }
    uint64_t release_counter = custom.value("release_counter", uint64_t(0));
    json& entry = staged[chosen.path];
    if (entry.is_null()) {
      entry = {{"length", chosen.file.length}, {"hashes", chosen.file.hashes},
               {"custom", {{"vehicle", req.vehicle}, {"image", e.target},
                           {"version", custom.value("version", "")}, {"ecu_identifiers", json::object()}}}};
    }
    entry["custom"]["ecu_identifiers"][e.ecu_serial] = {
        {"hardware_id", e.hardware_id},
        {"release_counter", release_counter},
        {"installed_version", e.installed_version ? json(*e.installed_version) : json()},
        {"delta_from", delta ? json(*e.installed_version) : json()}};
    report.assigned.push_back({e.ecu_serial, chosen.path, e.target, delta});
  }
  OTA_TRY(mark_director(ctx, director_repo, req.vehicle));
  OTA_TRY(io::write_atomic(ctx.fs, director_repo / "staged-targets.json", io::FileMode::kPublic, [&](io::Writer& w) {
    std::string text = staged.dump(1) + "\n";
    return w.write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }));
  return report;
}

Result<void> check_request(const DirectorRequest& req) {
  if (req.vehicle.empty()) return Error{Errc::invalid_argument, "a director assignment needs --vehicle"};
  OTA_TRY(check_vehicle_id(req.vehicle));
  std::set<std::string> serials;
  for (const auto& e : req.ecus) {
    if (e.ecu_serial.empty() || e.hardware_id.empty() || e.target.empty())
      return Error{Errc::invalid_argument, "an ECU assignment needs SERIAL=HARDWARE_ID:TARGET"};
    if (!serials.insert(e.ecu_serial).second)
      return Error{Errc::invalid_argument, "ECU '" + e.ecu_serial + "' is assigned twice: each ECU at most once"};
  }
  return {};
}

}  // namespace

Result<DirectorReport> assign(Context& ctx, const fs::path& director_repo, const DirectorRequest& req) {
  OTA_TRY(check_request(req));
  if (!ctx.fs.open_input(director_repo / "ota-repo.json"))
    return Error{Errc::not_found, "'" + director_repo.string() +
                                      "' is not an ota-manifest repository; create the director with 'ota-manifest init'"};
  std::unique_ptr<client::DirectorySource> source;
  auto image = open_image_repository(ctx, req.image_repo, req.image_root, source);
  if (!image) return std::move(image).error();
  return assign_with(ctx, director_repo, req, **image);
}

Result<std::vector<FleetVehicle>> assign_fleet(Context& ctx, const FleetRequest& req) {
  for (const auto& v : req.vehicles)
    if (auto ok = check_request(v); !ok) return std::move(ok).error().with_context("vehicle '" + v.vehicle + "'");
  std::unique_ptr<client::DirectorySource> source;
  auto image = open_image_repository(ctx, req.image_repo, req.image_root, source);
  if (!image) return std::move(image).error();
  OTA_TRY(ctx.fs.create_directories(req.fleet_dir));
  std::vector<FleetVehicle> out;
  for (const auto& v : req.vehicles) {
    const fs::path repo = req.fleet_dir / v.vehicle;
    FleetVehicle done{v.vehicle, false, {}, {}};
    if (!ctx.fs.open_input(repo / "ota-repo.json")) {
      if (!req.config)
        return Error{Errc::not_found, "vehicle '" + v.vehicle + "' has no director repository under '" +
                                          req.fleet_dir.string() + "': pass --config to create it"};
      auto made = init(ctx, *req.config, repo);
      if (!made) return std::move(made).error().with_context("vehicle '" + v.vehicle + "'");
      done.created = true;
    }
    auto assigned = assign_with(ctx, repo, v, **image);
    if (!assigned) return std::move(assigned).error().with_context("vehicle '" + v.vehicle + "'");
    done.report = std::move(*assigned);
    auto published = publish(ctx, repo);
    if (!published) return std::move(published).error().with_context("vehicle '" + v.vehicle + "'");
    done.published = std::move(*published);
    out.push_back(std::move(done));
  }
  return out;
}

}  // namespace ota::repository
