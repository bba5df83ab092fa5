#include "core/result.h"

#include <cerrno>
#include <cstring>

namespace ota {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::io: return "io";
    case Errc::not_found: return "not_found";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported: return "unsupported";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::too_large: return "too_large";
    case Errc::rejected: return "rejected";
    case Errc::hsm: return "hsm";
    case Errc::no_space: return "no_space";
    case Errc::power_cut: return "power_cut";
  }
  return "unknown";
}

Error errno_error(int err, const std::string& what) {
  Errc code = Errc::io;
  if (err == ENOENT) code = Errc::not_found;
  if (err == ENOSPC || err == EDQUOT) code = Errc::no_space;
  return Error{code, what + ": " + std::strerror(err)};
}

}  // namespace ota
