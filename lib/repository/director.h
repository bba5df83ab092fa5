// The Uptane director repository for one vehicle: which image each ECU installs. It is
// a TUF repository of its own (its own root and keys, made with `init`); `assign`
// stages its targets from the image repository — verified as a client would, so the
// director never points at an image the image repository does not sign — and
// `publish` signs them. Entries carry the ECU serial, hardware id and release counter
// in `custom`, and the same length and hashes as the image repository's entry.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "repository/repository.h"

namespace ota::repository {

struct EcuAssignment {
  std::string ecu_serial;
  std::string hardware_id;
  std::string target;                           // image target name in the image repository
  std::optional<std::string> installed_version; // the version the ECU reports: use its delta
};

struct DirectorRequest {
  std::string vehicle;  // VIN
  std::vector<EcuAssignment> ecus;
  std::filesystem::path image_repo;
  std::filesystem::path image_root;  // the image repository root the director trusts
};

struct Assigned {
  std::string ecu_serial, target, image;
  bool delta = false;
};
struct DirectorReport {
  std::vector<Assigned> assigned;
};

// Marks a repository as the director repository of `vehicle`: its targets name images
// held elsewhere (publish looks for no files under targets/), and its targets metadata
// carries custom.vehicle. A repository already bound to another vehicle is refused.
Result<void> mark_director(Context& ctx, const std::filesystem::path& repo, const std::string& vehicle);

// Replaces the director's staged targets with this vehicle's assignment (no ECUs: the
// vehicle has nothing to install, and the signed metadata still names it). Refused: an
// ECU listed twice, an image not in the (verified) image repository, a hardware id the
// image does not list.
Result<DirectorReport> assign(Context& ctx, const std::filesystem::path& director_repo, const DirectorRequest& request);

// Many vehicles at once: the image repository is verified once, then each vehicle's
// director repository <fleet_dir>/<VIN> is created from `config` when it does not exist
// yet (all of them share the director's keys), assigned and published. Stops at the
// first failure; vehicles before it stay published, the failing one unchanged.
struct FleetRequest {
  std::filesystem::path fleet_dir, image_repo, image_root;
  std::vector<DirectorRequest> vehicles;  // image_repo/image_root of each are ignored
  const Config* config = nullptr;         // to create missing director repositories
};
struct FleetVehicle {
  std::string vehicle;
  bool created = false;
  DirectorReport report;
  PublishReport published;
};
Result<std::vector<FleetVehicle>> assign_fleet(Context& ctx, const FleetRequest& request);

}  // namespace ota::repository
