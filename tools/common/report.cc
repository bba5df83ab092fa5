#include "common/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace ota::tools {

int exit_code_for(Errc code) {
  switch (code) {
    case Errc::corrupt:
    case Errc::unsupported:
    case Errc::too_large: return kExitFailure;
    case Errc::invalid_argument: return kExitUsage;
    case Errc::rejected: return kExitRejected;
    case Errc::io:
    case Errc::not_found:
    case Errc::no_space:
    case Errc::power_cut: return kExitIo;
    case Errc::hsm: return kExitHsm;
  }
  return kExitFailure;
}

int fail(std::string_view tool, const Error& error, bool json) {
  std::fprintf(stderr, "%.*s: error: %s\n", int(tool.size()), tool.data(), error.message.c_str());
  if (json) {
    nlohmann::json doc = {{"error", {{"code", std::string(to_string(error.code))},
                                     {"message", error.message},
                                     {"exit_code", exit_code_for(error.code)}}}};
    std::printf("%s\n", doc.dump().c_str());
  }
  return exit_code_for(error.code);
}

int succeed(bool json, const nlohmann::json& document, const std::string& summary) {
  if (json)
    std::printf("%s\n", document.dump(2).c_str());
  else
    std::fprintf(stderr, "%s\n", summary.c_str());
  return std::fflush(stdout) == 0 ? kExitOk : kExitIo;
}

}  // namespace ota::tools
