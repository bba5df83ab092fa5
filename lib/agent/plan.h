// From verified Uptane metadata to what this ECU installs (docs/agent.md "Choosing the
// update"): the director's assignment for this ECU, cross-checked against the image
// repository (Uptane: the director says what, the image repository vouches for it), with
// the image's signed chunk hashes, slot-image facts and the patch for the installed
// version.
#pragma once

#include <optional>
#include <string>

#include "agent/update_plan.h"
#include "client/updater.h"

namespace ota::agent {

// What a device knows about itself (device.yaml; schemas/device.schema.json).
struct DeviceIdentity {
  std::string vin;
  std::string ecu_serial;
  std::string hardware_id;
  std::string director_root;  // optional: the director's root.json it was provisioned with (a path)
};

// Both updaters refreshed. nullopt: the director assigns nothing to this ECU. Errc::rejected
// for metadata signed for another vehicle, an assignment naming another hardware id or
// two targets, a director target the image repository does not list with the same length
// and hashes, a patch that is not the image's listed delta, or an image without chunk
// hashes or slot-image facts.
Result<std::optional<UpdatePlan>> plan_update(client::Updater& director, client::Updater& images,
                                              const DeviceIdentity& device);

}  // namespace ota::agent
