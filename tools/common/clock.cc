#include "common/clock.h"

#include <cstdlib>
#include <ctime>

namespace ota::tools {

Result<int64_t> metadata_now() {
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
    char* end = nullptr;
    const long long v = std::strtoll(e, &end, 10);
    if (*end != 0 || v < 0) return Error{Errc::invalid_argument, "SOURCE_DATE_EPOCH is not a number of seconds"};
    return int64_t(v);
  }
  return int64_t(std::time(nullptr));
}

}  // namespace ota::tools
