#include "client/http_source.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <memory>

#include "client/names.h"

namespace ota::client {
namespace {

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

std::string num(uint64_t v) { return std::to_string(v); }

// Receives the body of a 200 or 206 answer with its status and Content-Range; false
// aborts the transfer. Redirect and error pages never reach it.
using BodyFn = std::function<bool(long status, const std::string& content_range, ByteView bytes)>;

// The last answer of one GET, after its redirects.
struct Answer {
  CURLcode rc = CURLE_OK;
  std::string error;  // libcurl's reason when rc != CURLE_OK
  long status = 0;
  std::string content_range;
  std::string url;  // the URL that gave this answer
};

struct Transfer {
  CURL* curl;
  const BodyFn* body;
  std::string content_range;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200 && status != 206) return n;
  return (*t->body)(status, t->content_range, ByteView(reinterpret_cast<const uint8_t*>(data), n)) ? n : 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  static constexpr std::string_view kContentRange = "content-range:";
  if (line.starts_with("HTTP/")) {
    t->content_range.clear();  // a new answer (after a redirect) starts
  } else if (line.size() > kContentRange.size() && strncasecmp(data, kContentRange.data(), kContentRange.size()) == 0) {
    line.remove_prefix(kContentRange.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    t->content_range = std::string(line);
  }
  return n;
}

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "bytes A-B/LEN" -> A.
std::optional<uint64_t> range_start(std::string_view content_range) {
  if (!content_range.starts_with("bytes ")) return std::nullopt;
  content_range.remove_prefix(6);
  return parse_number(content_range.substr(0, content_range.find('-')));
}

// "bytes */LEN" (a 416 answer) -> LEN.
std::optional<uint64_t> unsatisfied_length(std::string_view content_range) {
  if (!content_range.starts_with("bytes */")) return std::nullopt;
  return parse_number(content_range.substr(8));
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// One GET of `url`. Redirects are followed here rather than by libcurl, so that each hop
// is checked: an https -> http hop would hand the answer to anyone on the path.
// `range`: CURLOPT_RANGE text or empty; `max_file_size` < 0: no declared-size limit.
Result<Answer> perform(const HttpOptions& options, std::string url, const std::string& range,
                       curl_off_t max_file_size, const BodyFn& body) {
  if (!is_url(url)) return Error{Errc::invalid_argument, "'" + url + "' is not an http:// or https:// URL"};
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error{Errc::io, "libcurl could not start a transfer"};
  CURL* c = curl.get();
  Transfer transfer{c, &body, {}};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // "%2E%2E" stays; libcurl never resolves dot segments
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "identity");  // lengths are of the bytes on the wire
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ota-toolchain");
  if (!range.empty()) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
  if (max_file_size >= 0) curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, max_file_size);
  const auto start = std::chrono::steady_clock::now();
  for (long hops = 0;; ++hops) {
    if (options.total_timeout_seconds > 0) {
      const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      const long left = options.total_timeout_seconds * 1000 - long(spent.count());
      if (left <= 0)
        return Error{Errc::io, "'" + url + "': timed out after " + num(uint64_t(options.total_timeout_seconds)) + " s"};
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
    }
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    error[0] = 0;
    Answer answer;
    answer.rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
    char* next = nullptr;
    if (answer.rc == CURLE_OK && answer.status >= 300 && answer.status < 400 &&
        curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next) == CURLE_OK && next) {
      const std::string to = next;
      if (hops >= options.max_redirects)
        return Error{Errc::io, "'" + url + "' redirects more than " + num(uint64_t(options.max_redirects)) +
                                   " times; check the repository URL"};
      if (url.rfind("https://", 0) == 0 && to.rfind("https://", 0) != 0)
        return Error{Errc::rejected, "'" + url + "' redirects to '" + to + "': refusing to leave https"};
      if (!is_url(to)) return Error{Errc::rejected, "'" + url + "' redirects to '" + to + "', not an http(s) URL"};
      url = to;
      continue;
    }
    if (answer.rc != CURLE_OK) answer.error = error[0] ? std::string(error) : curl_easy_strerror(answer.rc);
    answer.content_range = transfer.content_range;
    answer.url = std::move(url);
    return answer;
  }
}

}  // namespace

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

HttpSource::HttpSource(std::string base_url, std::string targets_url, HttpOptions options)
    : metadata_url_(with_slash(std::move(base_url)) + "metadata/"),
      targets_url_(with_slash(std::move(targets_url)) + "targets/"),
      options_(options) {}

HttpSource::HttpSource(HttpUrls urls, HttpOptions options)
    : metadata_url_(with_slash(std::move(urls.metadata))),
      targets_url_(with_slash(std::move(urls.targets))),
      options_(options) {}

Result<Bytes> HttpSource::fetch_metadata(const std::string& name, size_t max_bytes) {
  return get(metadata_url_ + quote_component(name), max_bytes);
}

Result<Bytes> HttpSource::fetch_target(const std::string& path, size_t max_bytes) {
  return get(targets_url_ + encode_target_path(path), max_bytes);
}

Result<Bytes> HttpSource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  if (length == 0) return Bytes{};
  return get(targets_url_ + encode_target_path(path), length, Range{offset, length});
}

Result<Bytes> HttpSource::get(const std::string& url, size_t max_bytes, std::optional<Range> range) {
  Bytes bytes;
  bool too_large = false;
  // A server that ignores a range sends the whole file: read up to the range's end.
  const size_t limit = range ? size_t(range->offset + range->length) : max_bytes;
  const BodyFn body = [&](long, const std::string&, ByteView b) {
    if (bytes.size() + b.size() > limit) {
      // Keep what fits (a range answered with the whole file needs its prefix), then
      // abort the transfer: endless data is cut at the limit.
      bytes.insert(bytes.end(), b.begin(), b.begin() + long(limit - bytes.size()));
      too_large = true;
      return false;
    }
    bytes.insert(bytes.end(), b.begin(), b.end());
    return true;
  };
  std::string range_text;
  if (range) range_text = num(range->offset) + "-" + num(range->offset + range->length - 1);
  // Without a range, a declared length beyond the limit is refused before any byte is read.
  auto answer = perform(options_, url, range_text, range ? -1 : curl_off_t(max_bytes), body);
  if (!answer) return std::move(answer).error();
  const long status = answer->status;
  const std::string& at = answer->url;
  if (range && (answer->rc == CURLE_OK || too_large)) {
    if (status == 416) return Error{Errc::invalid_argument, "'" + at + "': offset " + num(range->offset) + " is past its end"};
    if (status == 206) {
      const auto first = range_start(answer->content_range);
      if (too_large || bytes.size() > range->length || (first && *first != range->offset))
        return Error{Errc::corrupt, "'" + at + "' answered a range request with other bytes than asked"};
      return bytes;
    }
    if (status == 200) {  // no range support: the prefix up to the range's end arrived
      if (bytes.size() <= range->offset)
        return Error{Errc::invalid_argument, "'" + at + "': offset " + num(range->offset) + " is past its end"};
      const size_t n = std::min(range->length, size_t(bytes.size() - range->offset));
      return Bytes(bytes.begin() + long(range->offset), bytes.begin() + long(range->offset + n));
    }
  }
  if (too_large || answer->rc == CURLE_FILESIZE_EXCEEDED)
    return Error{Errc::too_large, "'" + at + "' is larger than the limit of " + num(max_bytes) + " bytes"};
  if (answer->rc != CURLE_OK) return Error{Errc::io, "'" + at + "': " + answer->error};
  if (status == 404 || status == 403 || status == 410)
    return Error{Errc::not_found, "'" + at + "' is not on the server (HTTP " + num(uint64_t(status)) + ")"};
  if (status != 200) return Error{Errc::io, "'" + at + "': HTTP " + num(uint64_t(status))};
  return bytes;
}

Result<void> HttpSource::stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                                       const ByteSink& sink) {
  uint64_t skipped = 0, delivered = 0;
  bool too_large = false, checked = false, wrong_range = false;
  std::optional<Error> sink_error;
  const BodyFn body = [&](long status, const std::string& content_range, ByteView b) {
    if (!checked) {
      checked = true;
      // A 206 of other bytes than asked would splice a wrong piece into the download.
      const auto first = range_start(content_range);
      if (status == 206 && first && *first != offset) {
        wrong_range = true;
        return false;
      }
    }
    if (status == 200 && skipped < offset) {  // the server ignored the range
      const size_t skip = size_t(std::min<uint64_t>(b.size(), offset - skipped));
      skipped += skip;
      b = b.subspan(skip);
    }
    const bool over = b.size() > max_bytes - delivered;
    if (over) b = b.first(size_t(max_bytes - delivered));
    if (!b.empty()) {
      if (auto r = sink(b); !r) {
        sink_error = std::move(r).error();
        return false;
      }
      delivered += b.size();
    }
    too_large = over;
    return !over;
  };
  auto answer = perform(options_, targets_url_ + encode_target_path(path), offset > 0 ? num(offset) + "-" : "", -1, body);
  if (!answer) return std::move(answer).error();
  if (sink_error) return std::move(*sink_error);
  const std::string& at = answer->url;
  if (wrong_range)
    return Error{Errc::corrupt, "'" + at + "' answered bytes=" + num(offset) + "- with '" + answer->content_range + "'"};
  if (too_large) return Error{Errc::too_large, "'" + at + "' is longer than the " + num(max_bytes) + " bytes allowed"};
  if (answer->rc != CURLE_OK)
    return Error{Errc::io, "'" + at + "': " + answer->error + " after " + num(offset + delivered) + " bytes"};
  const long status = answer->status;
  if (status == 416) {
    if (unsatisfied_length(answer->content_range) == offset) return {};  // resumed at the very end
    return Error{Errc::invalid_argument, "'" + at + "': offset " + num(offset) + " is past its end"};
  }
  if (status == 404 || status == 403 || status == 410)
    return Error{Errc::not_found, "'" + at + "' is not on the server (HTTP " + num(uint64_t(status)) + ")"};
  if (status == 200 && skipped < offset)
    return Error{Errc::invalid_argument, "'" + at + "': offset " + num(offset) + " is past its end (" + num(skipped) + " bytes)"};
  if (status != 200 && status != 206) return Error{Errc::io, "'" + at + "': HTTP " + num(uint64_t(status))};
  return {};
}

}  // namespace ota::client
