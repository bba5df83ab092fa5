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

// Replaces the director's staged targets with this vehicle's assignment. Refused: an
// ECU listed twice, an image not in the (verified) image repository, a hardware id the
// image does not list.
// Marks a repository as a director's: its targets name images held elsewhere, so
// publish does not look for the files under targets/.
Result<void> mark_director(Context& ctx, const std::filesystem::path& repo);

Result<DirectorReport> assign(Context& ctx, const std::filesystem::path& director_repo, const DirectorRequest& request);

}  // namespace ota::repository
