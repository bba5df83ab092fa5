// The agent's install (BOOT-SPEC U1-U7; docs/agent.md): from a verified update plan to a
// PENDING slot, resumable after a power cut at any flash operation.
//   1. refuse before touching flash: a slot already PENDING/TRIAL, an active slot that is
//      not CONFIRMED or does not verify (U5), another hardware id, SEC_CNT below the
//      anti-rollback floor (A4), a lower version (A6), a counter with no advance left (A7);
//   2. BCR: the target slot INSTALLING, priority 0 (before its first erase); journal;
//   3. delta: the patch is downloaded chunk by chunk into scratch's staging area, each
//      chunk checked against its signed hash before it is programmed;
//   4. the slot is written from the downloaded image chunks, or from the patch applied to
//      the active slot (U2: read only the active slot, write only the target), each
//      output chunk checked against the image's signed chunk hashes before it reaches
//      flash;
//   5. the whole slot is read back and checked exactly as the bootloader will (U6);
//   6. one BCR write commits it: PENDING, priority 15, tries (U7).
// A resumed install re-reads what is on flash: chunks that match their signed hashes are
// kept, and writing resumes at the first that does not (on a sector boundary).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/update_plan.h"
#include "flash/flash.h"
#include "image/layout.h"

namespace ota::agent {

// `length` bytes of `payload` from `offset`; fewer when the link cut the answer short.
using FetchRange = std::function<Result<Bytes>(const Payload& payload, uint64_t offset, size_t length)>;

struct InstallOptions {
  uint32_t retries_per_chunk = 8;  // failed fetches or bad chunks before giving up
  uint16_t max_attempts = 10;      // U4: resumes of one install before starting over
  bool prefer_full = false;        // ignore the patch
  bool allow_downgrade = false;    // A6: a lower version with the same SEC_CNT floor
};

struct InstallReport {
  int slot = 0;
  Delivery delivery = Delivery::full;
  std::string delivery_reason;   // why delta or full
  uint16_t attempt = 1;          // 1 = a fresh install; more = resumed
  uint64_t payload_bytes = 0;    // size of what had to be downloaded
  uint64_t downloaded_bytes = 0; // bytes received in this run, retries included
  uint64_t reused_bytes = 0;     // verified bytes found on flash from an earlier attempt
  uint64_t retries = 0;          // fetches repeated (dropped, short or corrupt)
  uint32_t bcr_seq = 0;          // of the commit
  std::vector<std::string> steps;
};

// Errc::rejected for every refusal and every check that fails (nothing bootable is
// touched: the active slot and its BCR entry stay as they were); Errc::power_cut and I/O
// errors pass through. Calling it again after any failure resumes.
Result<InstallReport> install(flash::Flash& flash, const image::Layout& layout, const UpdatePlan& plan,
                              const FetchRange& fetch, const InstallOptions& options = {});

}  // namespace ota::agent
