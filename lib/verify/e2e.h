// The end-to-end proof of a release on one emulated device (issue 7 §3; docs/verify.md):
// boot; verify the director's and the image repository's metadata (Uptane); take this
// ECU's assignment; install it over a link that may be faulty (chunked, resumable, every
// chunk checked); reboot into a trial; run the health check; confirm or roll back. Every
// step is reported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/device_agent.h"
#include "agent/plan.h"
#include "client/faulty_source.h"
#include "client/updater.h"
#include "verify/powercut.h"

namespace ota::verify {

struct E2eRequest {
  client::Source* director = nullptr;  // the director's repository (faults already applied)
  client::Source* images = nullptr;    // the image repository (faults already applied)
  Bytes director_root, image_root;     // what the device was provisioned to trust
  agent::DeviceIdentity device;
  agent::HealthCheck health;
  io::Storage* storage = nullptr;      // for the metadata state directory
  std::optional<std::filesystem::path> state_dir;  // trusted metadata kept between runs
  metadata::Time now = 0;
  uint32_t max_power_cycles = 16;
  uint32_t link_retries = 16;          // per request, per metadata refresh and per install resume
  agent::InstallOptions install;
};

struct E2eStep {
  std::string step;    // "boot", "metadata", "plan", "install", "health", ...
  std::string detail;  // one line
};

struct E2eReport {
  std::vector<E2eStep> steps;
  std::string final_state;  // updated, up-to-date, rolled-back, refused, nothing-assigned, recovery, gave-up
  std::optional<int> running_slot;
  std::string running_version;
  std::string target, delivery;
  uint64_t image_bytes = 0;       // the full image
  uint64_t payload_bytes = 0;     // what had to be downloaded (patch or image)
  uint64_t downloaded_bytes = 0;  // what crossed the link, retries included
  uint64_t retries = 0;           // chunk fetches, metadata refreshes and installs repeated
  uint32_t power_cycles = 0;
  uint32_t install_attempts = 0;
};

// Errors only for flash I/O; every refusal or failure of the update is a final state.
Result<E2eReport> run_e2e(flash::Flash& flash, const image::Layout& layout, const E2eRequest& request);

// The update a device would install, from verified metadata, with its files downloaded
// whole and checked: what a power-cut sweep of a real release installs. nullopt when the
// director assigns nothing to the device.
struct FetchedUpdate {
  agent::UpdatePlan plan;
  std::map<std::string, Bytes> files;  // target path -> bytes
};
Result<std::optional<FetchedUpdate>> fetch_update(const E2eRequest& request);

// A power-cut subject from a real release: the flash image as the snapshot (its running
// slot the old image) and the fetched update.
Result<Subject> release_subject(const image::Layout& layout, const Bytes& flash_bytes, FetchedUpdate update);

}  // namespace ota::verify
