// What the device agent installs, as read from verified Uptane metadata (plan.h): the
// image and, when one matches the installed version, a patch, each with the signed
// per-chunk hashes the agent checks every downloaded or produced chunk against.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/journal.h"

namespace ota::agent {

// A file the agent downloads (or, for the image under delta delivery, produces).
struct Payload {
  std::string name;  // the target path in the image repository
  uint64_t length = 0;
  Sha256 sha256{};
  uint64_t chunk_size = 0;
  std::vector<Sha256> chunks;  // ceil(length / chunk_size) hashes; the last chunk may be short
};

struct UpdatePlan {
  std::string target;   // the image's target path
  std::string version;  // the target's custom version
  Payload image;        // the slot image file
  std::optional<Payload> patch;  // a delta from `from_version`, when the director assigned one
  std::string patch_algorithm;   // bsdiff, zstd, vcdiff, ota
  std::string from_version;
  // From the target's custom slot_image (BOOT-SPEC I6): what the bootloader will check.
  Sha256 slot_digest{};
  uint32_t security_counter = 0;
  std::string slot_version;  // "2.4.0+0"
  std::string hardware_id;
};

}  // namespace ota::agent
