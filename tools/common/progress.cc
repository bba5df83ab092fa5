#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ota::tools {

Progress::Progress(std::string tool)
    : tool_(std::move(tool)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  enabled_ = false;
}

void Progress::update(std::string_view phase, uint64_t done, uint64_t total) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  char text[64];
  if (total > 0)
    std::snprintf(text, sizeof text, "%3u%%", unsigned(done * 100 / total));
  else
    std::snprintf(text, sizeof text, "%.1f MB", double(done) / 1e6);
  phases_.insert_or_assign(std::string(phase), text);
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_draw_ < std::chrono::milliseconds(100))
    return;
  last_draw_ = now;
  std::string line = tool_ + ":";
  for (const auto& [name, value] : phases_) line += " " + name + " " + value;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  drawn_ = true;
}

}  // namespace ota::tools
