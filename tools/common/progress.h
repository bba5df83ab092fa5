// A progress line on stderr for long work, shown only when stderr is a terminal
// and only once the work has run for a second (docs/cli.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ota::tools {

class Progress {
 public:
  explicit Progress(std::string tool);  // decides once whether stderr is a terminal
  ~Progress();                          // clears the line if one was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe; `total` 0 means unknown.
  void update(std::string_view phase, uint64_t done, uint64_t total);
  // Clears the line and stops drawing: call before printing the result.
  void finish();

 private:
  std::string tool_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::map<std::string, std::string, std::less<>> phases_;
  std::mutex mutex_;
};

}  // namespace ota::tools
