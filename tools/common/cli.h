// Command-line parsing shared by every ota-* driver: help and version exit 0, any
// parse error is a usage error (exit 2) printed like every other error.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "common/report.h"

namespace ota::tools {

// Parses argv into `app`; returns the exit code when the tool should stop now
// (help, version, usage error), nullopt to go on. `json` is read after parsing, so a
// usage error after --json is still printed as JSON.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                             std::string_view tool, const bool& json) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(tool, Error{Errc::invalid_argument,
                            std::string(e.what()) + "; see '" + std::string(tool) + " --help'"},
                json);
  }
  return std::nullopt;
}

}  // namespace ota::tools
