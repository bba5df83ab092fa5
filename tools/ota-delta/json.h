// The --json documents and one-line summaries of ota-delta's results (docs/cli.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "delta/operations.h"
#include "delta/release.h"

namespace ota::tools {

nlohmann::json to_json(const delta::CreateReport& report, const std::string& out_path);
std::string summary(const delta::CreateReport& report, const std::string& out_path);

nlohmann::json to_json(const delta::ApplyOutcome& outcome, const std::string& out_path);
std::string summary(const delta::ApplyOutcome& outcome, const std::string& out_path);

nlohmann::json to_json(const delta::ReleaseReport& report);
std::string summary(const delta::ReleaseReport& report);

nlohmann::json to_json(const delta::PatchReport& report);
std::string describe(const delta::PatchReport& report);  // several lines, for stdout

}  // namespace ota::tools
