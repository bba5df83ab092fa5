// The long reliability runs (BOOT-SPEC T3, T4, T7; `ota-verify powercut --long`;
// docs/verify.md): cuts during recovery, exhaustive double cuts, and flash that fails
// writes or wears out. Each returns counts and the failing run ids, like the T2 sweep.
#pragma once

#include <string>
#include <vector>

#include "verify/powercut.h"

namespace ota::verify {

struct LongOptions {
  Scenario scenario = Scenario::update;
  uint32_t random_seeds = 1000;  // T3 random(5) runs
  unsigned jobs = 1;
};

// T3: for every first cut point i, the recovery is cut again and again: littlefs `linear`
// (i, then 1, 2, 3 ... operations into each following power-on) and `log` (i, then 1, 2,
// 4 ...), modes rotating; then `random_seeds` runs of MCUboot's random(5): five cuts, each
// uniform in the first half of the update's operations, seeded. Cuts that keep landing in
// trial boots spend the tries (B2), so the update scenario may end rolled back; every
// invariant is checked all the same, and the rollback scenario must end rolled back.
Result<SweepResult> sweep_recovery_cuts(const Subject& subject, const LongOptions& options);

// T4: every ordered pair (i, j): a cut at operation i, then at operation j of the next
// power-on (before for the first, torn for the second). Quadratic: for small subjects.
Result<SweepResult> sweep_double_cuts(const Subject& subject, const LongOptions& options);

struct FaultCheck {
  std::string name;    // "bcr-writes-fail-1.0", ...
  bool passed = false;
  std::string detail;  // what happened, one line
};

// T7: BCR writes failing at rate 1.0 (a trial that cannot be counted is never booted) and
// 0.5 (the device still settles, invariants held); erase errors on the target slot (the
// install fails cleanly, the old image untouched); a worn-out target sector (reported by
// sector, every install refused, the old image keeps running).
std::vector<FaultCheck> fault_checks(const Subject& subject);

}  // namespace ota::verify
