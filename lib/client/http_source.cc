#include "client/http_source.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace ota::client {
namespace {

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

// Percent-encodes a path for a URL, keeping '/' (target paths have directories).
std::string encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct Sink {
  Bytes bytes;
  size_t max_bytes;
  bool too_large = false;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->bytes.size() + n > sink->max_bytes) {
    // Keep what fits (a range answered with the whole file needs its prefix), then
    // abort the transfer: endless data is cut at the limit.
    const size_t room = sink->max_bytes - sink->bytes.size();
    sink->bytes.insert(sink->bytes.end(), reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + room);
    sink->too_large = true;
    return 0;
  }
  sink->bytes.insert(sink->bytes.end(), reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + n);
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

}  // namespace

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

HttpSource::HttpSource(std::string base_url, std::string targets_url, HttpOptions options)
    : metadata_url_(with_slash(std::move(base_url)) + "metadata/"),
      targets_url_(with_slash(std::move(targets_url)) + "targets/"),
      options_(options) {}

Result<Bytes> HttpSource::fetch_metadata(const std::string& name, size_t max_bytes) {
  return get(metadata_url_ + encode_path(name), max_bytes);
}

Result<Bytes> HttpSource::fetch_target(const std::string& path, size_t max_bytes) {
  return get(targets_url_ + encode_path(path), max_bytes);
}

Result<Bytes> HttpSource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  if (length == 0) return Bytes{};
  return get(targets_url_ + encode_path(path), length, Range{offset, length});
}

Result<Bytes> HttpSource::get(const std::string& url, size_t max_bytes, std::optional<Range> range) {
  if (!is_url(url)) return Error{Errc::invalid_argument, "'" + url + "' is not an http:// or https:// URL"};
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error{Errc::io, "libcurl could not start a transfer"};
  Sink sink{{}, max_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "identity");  // lengths are of the bytes on the wire
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ota-toolchain");
  std::string range_text;
  if (range) {
    range_text = std::to_string(range->offset) + "-" + std::to_string(range->offset + range->length - 1);
    curl_easy_setopt(c, CURLOPT_RANGE, range_text.c_str());
    // A server that ignores the range sends the whole file: read up to the range's end.
    sink.max_bytes = size_t(range->offset + range->length);
  } else {
    // A declared length beyond the limit is refused before any byte is read.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(max_bytes));
  }
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (range && (rc == CURLE_OK || sink.too_large)) {
    if (status == 416)
      return Error{Errc::invalid_argument, "'" + url + "': offset " + std::to_string(range->offset) + " is past its end"};
    if (status == 206) {
      if (sink.too_large || sink.bytes.size() > range->length)
        return Error{Errc::corrupt, "'" + url + "' answered a range request with more bytes than asked"};
      return std::move(sink.bytes);
    }
    if (status == 200) {  // no range support: the prefix up to the range's end arrived
      if (sink.bytes.size() <= range->offset)
        return Error{Errc::invalid_argument, "'" + url + "': offset " + std::to_string(range->offset) + " is past its end"};
      const size_t n = std::min(range->length, size_t(sink.bytes.size() - range->offset));
      return Bytes(sink.bytes.begin() + long(range->offset), sink.bytes.begin() + long(range->offset + n));
    }
  }
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return Error{Errc::too_large, "'" + url + "' is larger than the limit of " + std::to_string(max_bytes) + " bytes"};
  if (rc != CURLE_OK)
    return Error{Errc::io, "'" + url + "': " + (error[0] ? std::string(error) : curl_easy_strerror(rc))};
  if (status == 404 || status == 403 || status == 410)
    return Error{Errc::not_found, "'" + url + "' is not on the server (HTTP " + std::to_string(status) + ")"};
  if (status != 200) return Error{Errc::io, "'" + url + "': HTTP " + std::to_string(status)};
  return std::move(sink.bytes);
}

}  // namespace ota::client
