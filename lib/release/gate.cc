#include "release/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace ota::release {
namespace {

std::string fmt(const char* format, double a, double b) {
  char text[96];
  std::snprintf(text, sizeof text, format, a, b);
  return text;
}

}  // namespace

double normal_quantile(double p) {
  // Acklam's coefficients (lower region below 0.02425, central region between).
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double low = 0.02425;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step against the exact CDF (erfc) brings the error near machine precision.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double z_for_confidence(double confidence) { return normal_quantile(1 - (1 - confidence) / 2); }

Interval wilson(uint64_t successes, uint64_t n, double z) {
  if (n == 0) return {0, 1};
  const double nn = double(n), p = double(successes) / nn, z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string_view to_string(Decision d) {
  switch (d) {
    case Decision::promote: return "promote";
    case Decision::extend: return "extend";
    case Decision::hold: return "hold";
    case Decision::abort: return "abort";
  }
  return "hold";
}

GateResult decide(uint64_t executed, uint64_t failed, uint32_t extensions_used, const GateRule& gate,
                  const AbortRule& abort) {
  GateResult r;
  r.executed = executed;
  r.failed = failed;
  r.success = wilson(executed - failed, executed, z_for_confidence(gate.confidence));
  r.failure = wilson(failed, executed, z_for_confidence(abort.confidence));
  if (executed >= abort.min_executed && r.failure.lower > abort.max_failure) {
    r.decision = Decision::abort;
    r.rule = fmt("failure lower bound %.6f > max_failure %.6f", r.failure.lower, abort.max_failure);
  } else if (executed >= gate.min_executed && r.success.lower >= gate.min_success) {
    r.decision = Decision::promote;
    r.rule = fmt("success lower bound %.6f >= min_success %.6f", r.success.lower, gate.min_success);
  } else if (executed >= gate.min_executed && r.success.upper < gate.min_success) {
    // Confidently below the bar but not bad enough to abort: more vehicles would only
    // confirm it, so stop spending and wait for a person.
    r.decision = Decision::hold;
    r.rule = fmt("success upper bound %.6f < min_success %.6f", r.success.upper, gate.min_success);
  } else if (extensions_used < gate.max_extensions) {
    r.decision = Decision::extend;
    r.rule = executed < gate.min_executed ? "fewer than min_executed outcomes"
                                          : fmt("success lower bound %.6f < min_success %.6f", r.success.lower,
                                                gate.min_success);
  } else {
    r.decision = Decision::hold;
    r.rule = "no extension left and the gate not met";
  }
  return r;
}

}  // namespace ota::release
