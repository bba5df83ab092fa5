// What every ota-* driver shares: exit codes, the one Errc -> exit map, and how a
// result or an error is printed (docs/cli.md).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ota::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // verification or data failure (corrupt, unsupported)
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitRejected = 3;  // refused by an integrity or security check
inline constexpr int kExitIo = 4;        // file system: missing file, permission, disk full
inline constexpr int kExitHsm = 5;       // PKCS#11 token or module failure
inline constexpr int kExitRecovery = 6;  // ota-boot: no slot could be booted (RECOVERY)

int exit_code_for(Errc code);

// Prints "<tool>: error: <message>" on stderr (and {"error":{...}} on stdout with
// --json); returns the exit code.
int fail(std::string_view tool, const Error& error, bool json);

// Prints the JSON document on stdout with --json, else the summary on stderr.
int succeed(bool json, const nlohmann::json& document, const std::string& summary);

}  // namespace ota::tools
