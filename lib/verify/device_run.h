// The emulated device over power cycles (BOOT-SPEC T5; docs/verify.md): each power-on is a
// reset of the bootloader followed by one run of the agent, on a flash that may lose power
// at chosen operations. run_device power-cycles until the device settles and checks the
// T5 invariants after every boot; the power-cut sweep and the end-to-end run share it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/device_agent.h"
#include "flash/faulty_flash.h"
#include "flash/mem_flash.h"
#include "flash/trace.h"

namespace ota::verify {

struct Expectation {
  enum Ending {
    updated,      // running the new image, confirmed, nothing pending
    rolled_back,  // running the old image, confirmed, the update's slot FAILED
    either,       // one of the two (a flash that fails writes may spend every trial)
  } ending = updated;
  agent::Sha256 old_digest{}, new_digest{};  // SHA256 TLVs: the only images that may boot
};

struct RunSettings {
  std::vector<flash::Cut> cuts;  // in order; each counted from the power-up it falls in
  uint64_t seed = 0;             // of torn and unstable bits
  uint32_t max_cycles = 32;      // power-ons before "did not settle"
  bool trace = false;            // keep every flash call (replays, the reference run)
  std::optional<flash::FlashFaults> faults;  // F7: failing writes and erases, under every power-on
};

struct Cycle {
  boot::BootResult boot;
  std::optional<agent::AgentRun> agent;  // none when power was lost first
  std::string interruption;              // the power cut or retryable error that ended it early
};

struct DeviceRun {
  std::vector<Cycle> cycles;
  std::optional<std::string> violation;  // the first T5 invariant broken, or "did not settle"
  uint64_t operations = 0;               // program and erase calls over the whole run
  std::vector<flash::TraceEntry> trace;  // with RunSettings::trace
};

// Power-cycles `mem` until the device reaches `expect` or breaks an invariant: it boots
// something every time (never RECOVERY), only an image with one of the two digests, never
// a slot the record had as INSTALLING, FAILED or EMPTY; at least one BCR copy stays valid;
// the anti-rollback floor never goes down and never passes the lowest SEC_CNT of the slots
// the record can boot; the agent never refuses; and the ending matches, with nothing pending.
DeviceRun run_device(flash::MemFlash& mem, const image::Layout& layout, const agent::AgentConfig& config,
                     const Expectation& expect, const RunSettings& settings);

}  // namespace ota::verify
