// device.yaml (schemas/device.schema.json; docs/agent.md): who this ECU is, as an Uptane
// primary is provisioned with it.
//   vin: VIN123              # the vehicle the director's metadata must name
//   ecu_serial: TCU-0042     # the ECU serial the director assigns to
//   hardware_id: example-board   # optional; must equal the flash layout's hardware id
//   director_root: director-root.json   # optional; the director's trusted root (a path,
//                                       # relative to the device file)
#pragma once

#include <string_view>

#include "agent/plan.h"
#include "image/layout.h"

namespace ota::agent {

// Errc::invalid_argument naming the field (with "line N: " for YAML errors): a missing or
// empty vin or ecu_serial, an unknown field, a hardware id other than the layout's.
Result<DeviceIdentity> parse_device_file(std::string_view yaml_text, const image::Layout& layout);

}  // namespace ota::agent
