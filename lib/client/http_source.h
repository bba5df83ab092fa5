// A repository served over HTTP(S) (libcurl): BASE/metadata/NAME and BASE/targets/PATH,
// the layout ota-manifest writes and any static file server serves, or two URLs given
// as they are (the tuf-conformance client protocol passes METADATA_URL and TARGET_URL).
// The device agent, `ota-manifest verify --repo URL` and ota-fetch read through it.
//
// How names become URLs (tuf-conformance test_quoting_issues, CVE-2021-41131):
// - a metadata name ("3.snapshot.json", "1./delegatedrole.json") is one path component,
//   percent-encoded like Python's quote(name, safe=""): every byte except A-Z a-z 0-9
//   - . _ ~ becomes %XX, '/' included ("1.%2Fdelegatedrole.json");
// - a target path keeps its '/' and encodes each segment the same way; a segment that is
//   exactly "." or ".." is sent as "%2E" or "%2E%2E", and libcurl is told not to resolve
//   dot segments (CURLOPT_PATH_AS_IS), so a request never climbs out of the targets URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "client/updater.h"

namespace ota::client {

struct HttpOptions {
  long connect_timeout_seconds = 15;
  // Abort a transfer slower than this many bytes per second for low_speed_seconds
  // (a stalled link or an endless-data attacker trickling bytes).
  long low_speed_bytes = 1024, low_speed_seconds = 30;
  // Whole request, redirects included; 0 for none (the size limits bound a transfer).
  long total_timeout_seconds = 0;
  // Redirects followed per request; one more is an Errc::io failure. A redirect from
  // https:// to http:// is always refused (Errc::rejected).
  long max_redirects = 5;
  // PEM file of the certificate authorities trusted for https; empty: libcurl's default
  // bundle (the system's).
  std::string ca_file;
};

// The two URLs used as they are (a missing trailing '/' is added): a metadata file NAME
// is fetched from `metadata` + quoted NAME, a target PATH from `targets` + encoded PATH.
struct HttpUrls {
  std::string metadata, targets;
};

class HttpSource final : public Source {
 public:
  // `base_url` and `targets_url`: repository roots, metadata/ and targets/ are appended;
  // http:// or https:// (anything else is refused when fetching); a trailing '/' is
  // optional. Uptane: a director's metadata with the images from the image repository.
  HttpSource(std::string base_url, std::string targets_url, HttpOptions options = {});
  explicit HttpSource(const std::string& base_url) : HttpSource(base_url, base_url) {}
  // Metadata and targets URLs taken as given (ota-fetch, tuf-conformance).
  explicit HttpSource(HttpUrls urls, HttpOptions options = {});

  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  // A "Range: bytes=A-B" request; a server that ignores ranges (200 with the whole file)
  // is sliced, a 416 answer is Errc::invalid_argument.
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;
  // One GET ("Range: bytes=OFFSET-" when offset > 0) whose body goes to `sink` as it
  // arrives. A 206 is used as is (its Content-Range must start at `offset`, else
  // Errc::corrupt); a 200 from a server that ignores ranges has its first `offset` bytes
  // skipped. Offset past the end: Errc::invalid_argument (offset == length is an empty
  // success). 403/404/410: Errc::not_found. More than max_bytes: the sink gets exactly
  // max_bytes, then Errc::too_large. A dropped or timed-out connection: Errc::io, and
  // what the sink got stays valid, so the caller resumes from offset + delivered. An
  // error from the sink aborts the transfer and is returned as is.
  Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                             const ByteSink& sink) override;

  const std::string& metadata_url() const { return metadata_url_; }
  const std::string& targets_url() const { return targets_url_; }

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
