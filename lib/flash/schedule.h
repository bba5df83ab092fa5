// F6: multi-cut schedules. A schedule is the list of cut points of one run, each counted
// in operations since the power-up before it, so the state persists across cuts and
// later cuts land during recovery (littlefs's powerloss behaviours; MCUboot's
// perm_with_random_fails).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ota::flash {

// single(i): [i]. linear(n): [1, 2, ..., n]. log(n): [1, 2, 4, ...] up to n.
// random(k, max, seed): k points in [1, max], seeded (splitmix64).
std::vector<uint64_t> single_cut(uint64_t at);
std::vector<uint64_t> linear_cuts(uint64_t n);
std::vector<uint64_t> log_cuts(uint64_t n);
std::vector<uint64_t> random_cuts(uint64_t k, uint64_t max, uint64_t seed);

// The command-line form: "single:12", "linear:20", "log:64", "random:5:100:7"
// (k, max, seed) or an explicit list "3,17,40". Errc::invalid_argument otherwise.
Result<std::vector<uint64_t>> parse_schedule(std::string_view text);

}  // namespace ota::flash
