// A repository served over HTTP(S) (libcurl): BASE/metadata/NAME and BASE/targets/PATH,
// the layout ota-manifest writes and any static file server serves. The device agent
// and `ota-manifest verify --repo URL` read through it.
#pragma once

#include <optional>
#include <string>

#include "client/updater.h"

namespace ota::client {

struct HttpOptions {
  long connect_timeout_seconds = 15;
  // Abort a transfer slower than this many bytes per second for low_speed_seconds
  // (a stalled link or an endless-data attacker trickling bytes).
  long low_speed_bytes = 1024, low_speed_seconds = 30;
};

class HttpSource final : public Source {
 public:
  // `base_url` and `targets_url`: http:// or https:// (anything else is refused when
  // fetching); a trailing '/' is optional. Uptane: a director's metadata with the images
  // from the image repository.
  HttpSource(std::string base_url, std::string targets_url, HttpOptions options = {});
  explicit HttpSource(const std::string& base_url) : HttpSource(base_url, base_url) {}

  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  // A "Range: bytes=A-B" request; a server that ignores ranges (200 with the whole file)
  // is sliced, a 416 answer is Errc::invalid_argument.
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;

 private:
  struct Range {
    uint64_t offset = 0;
    size_t length = 0;
  };
  Result<Bytes> get(const std::string& url, size_t max_bytes, std::optional<Range> range = std::nullopt);
  std::string metadata_url_, targets_url_;
  HttpOptions options_;
};

// True for http:// and https:// URLs: the tools take either a directory or a URL.
bool is_url(const std::string& text);

}  // namespace ota::client
