// Director assignments (issue 10 §2 campaign compile/advance): one CSV row per ECU a
// stage reaches, saying what it installs and how it gets there. The director reads
// them; `ota-release` never talks to vehicles.
//
//   vin,ecu_serial,hardware_id,installed_version,target,version,payload
//
// target is the image repository's target name (`<hardware id>/<image file name>`, as
// merge publishes it); payload is `delta:<item>` (the content-addressed delta from the
// installed version, item = `<sha256 source>_<sha256 target>`), `full:<sha256 target>`,
// or `none` (already installed). Rollback rows send a vehicle back to the version it ran:
// target and version are that image's, payload `rollback:<sha256 new>_<sha256 old>` (the
// reverse delta, which build makes and merge publishes) or `full:unknown` when the plan
// has no image of it.
#pragma once

#include <string>
#include <vector>

#include "release/campaign.h"
#include "release/plan_dir.h"

namespace ota::release {

struct Reached {
  size_t segment = 0;
  uint64_t from = 0, to = 0;  // cohort positions [from, to)
};

std::string forward_assignments(const LoadedPlan& plan, const std::vector<Reached>& ranges);
std::string rollback_assignments(const LoadedPlan& plan, const std::vector<Reached>& ranges);

// campaign.json: stages with exact per-segment counts, gate groups, rules.
std::string campaign_json(const LoadedPlan& plan);

}  // namespace ota::release
