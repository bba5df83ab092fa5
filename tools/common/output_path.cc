#include "common/output_path.h"

#include <filesystem>

namespace ota::tools {

std::optional<std::string> refuse_output(io::Storage& fs, const std::string& out,
                                         const std::vector<std::pair<std::string, std::string>>& inputs) {
  if (fs.is_directory(out)) return "--out '" + out + "' is a directory; name the output file";
  std::error_code ec;
  auto normal = [&](const std::string& p) { return std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec).lexically_normal(); };
  for (const auto& [what, path] : inputs) {
    if (path.empty()) continue;
    if (fs.same_file(out, path) || normal(out) == normal(path))
      return "--out '" + out + "' is " + what + " '" + path + "'";
  }
  return std::nullopt;
}

}  // namespace ota::tools
