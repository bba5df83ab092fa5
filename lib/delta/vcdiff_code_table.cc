#include "delta/vcdiff_code_table.h"

namespace ota::delta::vcdiff {
namespace {

std::array<CodeEntry, 256> build() {
  std::array<CodeEntry, 256> t{};
  size_t i = 0;
  t[i++] = {{kRun, 0, 0}, {}};                                           // 0: RUN, size follows
  for (uint8_t size = 0; size <= 17; ++size) t[i++] = {{kAdd, size, 0}, {}};  // 1-18: ADD 0, 1..17
  for (uint8_t mode = 0; mode < kModes; ++mode) {                        // 19-162: COPY
    t[i++] = {{kCopy, 0, mode}, {}};
    for (uint8_t size = 4; size <= 18; ++size) t[i++] = {{kCopy, size, mode}, {}};
  }
  for (uint8_t mode = 0; mode < 6; ++mode)                               // 163-234: ADD 1-4 + COPY 4-6
    for (uint8_t add = 1; add <= 4; ++add)
      for (uint8_t copy = 4; copy <= 6; ++copy) t[i++] = {{kAdd, add, 0}, {kCopy, copy, mode}};
  for (uint8_t mode = 6; mode < kModes; ++mode)                          // 235-246: ADD 1-4 + COPY 4
    for (uint8_t add = 1; add <= 4; ++add) t[i++] = {{kAdd, add, 0}, {kCopy, 4, mode}};
  for (uint8_t mode = 0; mode < kModes; ++mode) t[i++] = {{kCopy, 4, mode}, {kAdd, 1, 0}};  // 247-255
  return t;
}

}  // namespace

const std::array<CodeEntry, 256>& default_code_table() {
  static const std::array<CodeEntry, 256> table = build();
  return table;
}

}  // namespace ota::delta::vcdiff
