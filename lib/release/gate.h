// The statistics of a staged rollout's gates (issue 10 §2): Wilson score bounds on the
// share of successful installs, and the decision a segment's outcomes so far lead to.
// Pure functions: the same counts and rules always give the same decision.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ota::release {

// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (Acklam's approximation refined by
// one Halley step: absolute error below 1e-12).
double normal_quantile(double p);

// The two-sided z of a confidence level: normal_quantile(1 - (1 - confidence) / 2),
// 1.959964 for 0.95.
double z_for_confidence(double confidence);

struct Interval {
  double lower = 0, upper = 1;
};

// Wilson score interval of `successes` out of `n` at `z`; n == 0 gives [0, 1].
Interval wilson(uint64_t successes, uint64_t n, double z);

struct GateRule {
  double min_success = 0.98, confidence = 0.95;
  uint64_t min_executed = 50;
  uint32_t max_extensions = 3;
};

struct AbortRule {
  double max_failure = 0.05, confidence = 0.95;
  uint64_t min_executed = 50;
};

enum class Decision { promote, extend, hold, abort };
std::string_view to_string(Decision d);

// What one segment's stage leads to, with the numbers that decided it (recorded in the
// campaign's decision log). Abort first (enough evidence of too many failures), then
// promote (enough evidence of enough successes), then hold when the upper bound of success
// is already below min_success (more vehicles would not change the verdict), else extend
// while extensions remain, else hold.
struct GateResult {
  Decision decision = Decision::hold;
  uint64_t executed = 0, failed = 0;
  Interval success, failure;  // Wilson bounds of each share
  std::string rule;           // which comparison decided, in words
};
GateResult decide(uint64_t executed, uint64_t failed, uint32_t extensions_used, const GateRule& gate,
                  const AbortRule& abort);

}  // namespace ota::release
