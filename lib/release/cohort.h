// Who gets a release when (issue 10 §2): vehicles in a stable, seeded order, and how many
// of a segment each stage's percentage takes. Raising a percentage only adds vehicles, and
// a new inventory snapshot keeps every vehicle's place relative to the others, because a
// vehicle's place depends only on the seed and its VIN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ota::release {

// Lower-case hex SHA-256 of "<seed>:<vin>" (seed in decimal): the sort key.
std::string cohort_key(uint64_t seed, std::string_view vin);

// `vins` (duplicates removed) sorted by cohort_key, then by VIN.
std::vector<std::string> cohort_order(uint64_t seed, std::vector<std::string> vins);

// A stage's share as thousandths of a percent ("0.5" -> 500, "100" -> 100000): percentages
// are compared and multiplied exactly. Errc::invalid_argument outside (0, 100] or with more
// than three decimals.
Result<uint32_t> parse_percent(std::string_view text);

// How many of `n` vehicles a stage at `milli_percent` takes: ceil(n * p / 100), so a
// non-empty segment never rounds to zero, and at most n.
uint64_t stage_size(uint64_t n, uint32_t milli_percent);

}  // namespace ota::release
