// The YAML files that drive ota-manifest in batches: a release (many targets staged
// with one `add`) and a fleet (many vehicles assigned with one `director`). Formats in
// docs/repository.md, schemas/manifest-release.schema.json and
// schemas/director-fleet.schema.json. Relative paths resolve against the file's
// directory; unknown fields are errors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "repository/director.h"
#include "repository/repository.h"

namespace ota::repository {

// targets: [{name, file, hardware_ids, version?, deltas?, priority?, chunk_size?,
// release_counter?, role?}] with file-wide defaults version, priority, chunk_size,
// release_counter.
Result<std::vector<AddRequest>> parse_release(const std::string& yaml_text, const std::filesystem::path& base_dir);

struct VehicleAssignment {
  std::string vehicle;
  std::vector<EcuAssignment> ecus;  // may be empty: the vehicle has nothing to install
};
// vehicles: [{vin, ecus: [{serial, hardware_id, target, installed_version?}]}]
Result<std::vector<VehicleAssignment>> parse_fleet(const std::string& yaml_text);

// A vehicle id names a directory: letters, digits, '.', '_', '-'; not "." or "..".
Result<void> check_vehicle_id(const std::string& vehicle);

}  // namespace ota::repository
