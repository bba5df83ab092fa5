#include "audit/audit_log.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hex.h"

namespace ota::audit {
namespace {

using Json = nlohmann::json;

constexpr char kGenesis[] = "0000000000000000000000000000000000000000000000000000000000000000";
// Integers above 2^53 - 1 lose precision in JavaScript and other double-based readers.
constexpr uint64_t kMaxSeq = (uint64_t(1) << 53) - 1;
// Sorted, as nlohmann's object and therefore the canonical line order them.
constexpr std::array<std::string_view, 11> kFields = {
    "algorithm", "command", "format", "key_id", "message_sha256", "prev_sha256",
    "role",      "seq",     "time",   "tool",   "user"};
constexpr std::array<std::string_view, 3> kAlgorithms = {"ed25519", "ecdsa-p256", "rsa-pss-3072"};

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);  // also releases the flock
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

ByteView bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string sha256_hex(std::string_view line) { return to_hex(crypto::sha256(bytes_of(line))); }

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "YYYY-MM-DDTHH:MM:SSZ"; field ranges only, not days per month: the time is
// informational, seq and prev_sha256 carry the order.
bool is_time(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return false;
  }
  auto num = [&](size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); };
  return num(5) >= 1 && num(5) <= 12 && num(8) >= 1 && num(8) <= 31 && num(11) <= 23 &&
         num(14) <= 59 && num(17) <= 60;
}

Result<std::string> format_time(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(
      std::chrono::floor<std::chrono::seconds>(now));
  std::tm tm{};
  if (!::gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
    return Error{Errc::invalid_argument, "audit record: the time is outside years 0000-9999"};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(out);
}

struct LineFields {
  uint64_t seq = 0;
  std::string prev_sha256;
};

// Checks one line on its own (not its place in the chain). The message says what is
// wrong, for the caller to put in context.
Result<LineFields> check_line(std::string_view line) {
  auto bad = [](std::string why) { return Error{Errc::rejected, std::move(why)}; };
  const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  for (const auto& item : j.items())
    if (std::find(kFields.begin(), kFields.end(), item.key()) == kFields.end())
      return bad("unexpected field " + Json(item.key()).dump(-1, ' ', true));
  for (std::string_view field : kFields)
    if (!j.contains(field)) return bad("missing field '" + std::string(field) + "'");

  auto text = [&](std::string_view field) -> const std::string* {
    const Json& v = j.at(field);
    return v.is_string() && !v.get_ref<const std::string&>().empty()
               ? &v.get_ref<const std::string&>()
               : nullptr;
  };
  for (std::string_view field : {"user", "tool", "command"})
    if (!text(field)) return bad("'" + std::string(field) + "' must be a non-empty string");
  if (!text("format") || *text("format") != kFormat)
    return bad("format must be \"" + std::string(kFormat) + "\"");
  for (std::string_view field : {"key_id", "message_sha256", "prev_sha256"})
    if (!text(field) || !is_hex64(*text(field)))
      return bad("'" + std::string(field) + "' must be 64 lowercase hex digits");
  if (!text("time") || !is_time(*text("time")))
    return bad("'time' must be UTC as YYYY-MM-DDTHH:MM:SSZ");
  if (!text("algorithm") ||
      std::find(kAlgorithms.begin(), kAlgorithms.end(), *text("algorithm")) == kAlgorithms.end())
    return bad("'algorithm' must be one of ed25519, ecdsa-p256, rsa-pss-3072");
  if (!j.at("role").is_null() && !text("role"))
    return bad("'role' must be null or a non-empty string");
  const Json& seq = j.at("seq");
  if (!seq.is_number_unsigned() || seq.get<uint64_t>() < 1 || seq.get<uint64_t>() > kMaxSeq)
    return bad("'seq' must be an integer from 1 to 2^53-1");
  // The hash covers bytes, so one record must have one spelling: this also rules out
  // duplicate keys, which different JSON readers resolve differently.
  if (j.dump(-1, ' ', /*ensure_ascii=*/true) != line)
    return bad("not in canonical form (sorted keys, no whitespace, \\u escapes for non-ASCII)");
  return LineFields{seq.get<uint64_t>(), *text("prev_sha256")};
}

Result<std::string> make_line(const Record& record, const Context& context, uint64_t seq,
                              const std::string& prev_sha256) {
  auto time = format_time(context.now);
  if (!time) return std::move(time).error();
  Json j = {{"format", kFormat},
            {"seq", seq},
            {"time", *time},
            {"user", context.user},
            {"tool", record.tool},
            {"command", record.command},
            {"key_id", record.key_id},
            {"role", record.role.empty() ? Json(nullptr) : Json(record.role)},
            {"algorithm", record.algorithm},
            {"message_sha256", to_hex(record.message_sha256)},
            {"prev_sha256", prev_sha256}};
  std::string line;
  try {
    line = j.dump(-1, ' ', /*ensure_ascii=*/true);
  } catch (const Json::exception&) {
    return Error{Errc::invalid_argument, "audit record: a field is not valid UTF-8"};
  }
  // Never write what verify() would reject.
  if (auto ok = check_line(line); !ok)
    return Error{Errc::invalid_argument, "audit record: " + ok.error().message};
  if (line.size() > kMaxLineBytes)
    return Error{Errc::invalid_argument, "audit record: longer than 65536 bytes"};
  return line;
}

Result<void> pread_all(int fd, char* out, size_t size, uint64_t offset,
                       const std::filesystem::path& log) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(errno, "reading audit log " + quoted(log));
    if (n == 0) return Error{Errc::io, "reading audit log " + quoted(log) + ": the file shrank"};
    out += n;
    size -= size_t(n);
    offset += uint64_t(n);
  }
  return {};
}

// The last line of a non-empty log without its '\n', read backwards from the end so
// the cost does not grow with the log.
Result<std::string> read_last_line(int fd, uint64_t size, const std::filesystem::path& log) {
  const std::string verify_hint = "; run 'ota-keys audit verify " + log.string() + "'";
  char last = 0;
  OTA_TRY(pread_all(fd, &last, 1, size - 1, log));
  if (last != '\n')
    return Error{Errc::rejected,
                 "audit log " + quoted(log) + " ends with an incomplete record" + verify_hint};
  std::string line;
  uint64_t end = size - 1;
  char chunk[4096];
  while (end > 0) {
    const size_t n = size_t(std::min<uint64_t>(sizeof chunk, end));
    OTA_TRY(pread_all(fd, chunk, n, end - n, log));
    const char* nl = static_cast<const char*>(::memrchr(chunk, '\n', n));
    const size_t from = nl ? size_t(nl - chunk) + 1 : 0;
    line.insert(0, chunk + from, n - from);
    if (line.size() > kMaxLineBytes)
      return Error{Errc::rejected, "audit log " + quoted(log) +
                                       " ends with a line longer than 65536 bytes" + verify_hint};
    if (nl) break;
    end -= n;
  }
  return line;
}

// Opens `log` for appending; `created` says whether this call made the file, so the
// directory entry needs syncing too.
Result<Fd> open_log(const std::filesystem::path& log, bool& created) {
  // O_RDWR, not O_WRONLY: the last line is read back through the same (locked) file.
  constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC;
  for (int attempt = 0; attempt < 10; ++attempt) {
    int fd = ::open(log.c_str(), kFlags);
    if (fd >= 0) return Fd(fd);
    if (errno != ENOENT) return errno_error(errno, "opening audit log " + quoted(log));
    fd = ::open(log.c_str(), kFlags | O_CREAT | O_EXCL, 0640);
    if (fd >= 0) {
      created = true;
      return Fd(fd);
    }
    if (errno != EEXIST) return errno_error(errno, "creating audit log " + quoted(log));
  }
  return Error{Errc::io, "opening audit log " + quoted(log) +
                             ": it keeps appearing and disappearing; check what else writes it"};
}

Result<void> lock(int fd, int operation, const std::filesystem::path& log) {
  while (::flock(fd, operation) != 0)
    if (errno != EINTR) return errno_error(errno, "locking audit log " + quoted(log));
  return {};
}

Result<uint64_t> regular_file_size(int fd, const std::filesystem::path& log) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(errno, "reading audit log " + quoted(log));
  if (!S_ISREG(st.st_mode))
    return Error{Errc::invalid_argument, "audit log " + quoted(log) + " is not a regular file"};
  return uint64_t(st.st_size);
}

Result<void> sync_dir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(errno, "opening directory " + quoted(dir));
  if (::fsync(fd.get()) != 0 && errno != EINVAL)
    return errno_error(errno, "syncing directory " + quoted(dir));
  return {};
}

// Streams lines of at most kMaxLineBytes from the first `limit` bytes of a file.
class LineReader {
 public:
  enum class Got { line, end, partial, too_long };

  LineReader(int fd, uint64_t limit, const std::filesystem::path& log)
      : fd_(fd), left_(limit), log_(log), buffer_(64 * 1024) {}

  // Reads the next line into `line`, without its '\n'.
  Result<Got> next(std::string& line) {
    line.clear();
    for (;;) {
      if (pos_ < len_) {
        const char* start = buffer_.data() + pos_;
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
        const size_t take = nl ? size_t(nl - start) : len_ - pos_;
        if (line.size() + take > kMaxLineBytes) return Got::too_long;
        line.append(start, take);
        pos_ += take;
        if (nl) {
          ++pos_;
          return Got::line;
        }
      }
      if (left_ == 0) return line.empty() ? Got::end : Got::partial;
      ssize_t n = ::read(fd_, buffer_.data(), size_t(std::min<uint64_t>(buffer_.size(), left_)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno_error(errno, "reading audit log " + quoted(log_));
      left_ = n == 0 ? 0 : left_ - uint64_t(n);  // 0: the file shrank under us
      pos_ = 0;
      len_ = size_t(n);
    }
  }

 private:
  int fd_;
  uint64_t left_;
  const std::filesystem::path& log_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t len_ = 0;
};

}  // namespace

Context current_context() {
  Context context{.user = {}, .now = std::chrono::system_clock::now()};
  const uid_t uid = ::geteuid();
  long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? size_t(hint) : 16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  int rc;
  while ((rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (1u << 20))
    buffer.resize(buffer.size() * 2);
  if (rc == 0 && found && found->pw_name && *found->pw_name)
    context.user = found->pw_name;
  else
    context.user = "uid:" + std::to_string(uid);
  return context;
}

Result<void> append(const std::filesystem::path& log, const Record& record,
                    const Context& context) {
  // Validate before touching the file: a bad record must not even create the log.
  OTA_TRY(make_line(record, context, 1, kGenesis));
  bool created = false;
  auto fd = open_log(log, created);
  if (!fd) return std::move(fd).error();
  OTA_TRY(lock(fd->get(), LOCK_EX, log));
  auto size = regular_file_size(fd->get(), log);
  if (!size) return std::move(size).error();

  uint64_t seq = 1;
  std::string prev = kGenesis;
  if (*size > 0) {
    auto last = read_last_line(fd->get(), *size, log);
    if (!last) return std::move(last).error();
    auto fields = check_line(*last);
    if (!fields)
      return Error{Errc::rejected, "audit log " + quoted(log) + " ends with an invalid record (" +
                                       fields.error().message + "); run 'ota-keys audit verify " +
                                       log.string() + "'"};
    seq = fields->seq + 1;
    prev = sha256_hex(*last);
  }
  auto line = make_line(record, context, seq, prev);
  if (!line) return std::move(line).error().with_context("appending to audit log " + quoted(log));
  line->push_back('\n');

  std::string_view rest = *line;
  while (!rest.empty()) {
    ssize_t n = ::write(fd->get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto error = errno_error(errno, "appending to audit log " + quoted(log));
      // Still under the lock: cut the partial line so the chain stays appendable.
      (void)::ftruncate(fd->get(), off_t(*size));
      return error;
    }
    rest.remove_prefix(size_t(n));
  }
  if (::fsync(fd->get()) != 0) return errno_error(errno, "syncing audit log " + quoted(log));
  if (created) {
    auto dir = log.parent_path();
    OTA_TRY(sync_dir(dir.empty() ? std::filesystem::path(".") : dir));
  }
  return {};
}

Result<VerifyReport> verify(const std::filesystem::path& log,
                            const std::optional<std::string>& expect_head) {
  std::optional<std::string> expected;
  if (expect_head) {
    std::string lower = *expect_head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (!is_hex64(lower))
      return Error{Errc::invalid_argument, "expected audit log head '" + *expect_head +
                                               "' is not 64 hex digits; copy the full SHA-256"};
    expected = std::move(lower);
  }
  Fd fd(::open(log.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      return Error{Errc::not_found, "audit log " + quoted(log) + " does not exist; check the path"};
    return errno_error(errno, "opening audit log " + quoted(log));
  }
  // Appenders write whole lines under LOCK_EX, so the size seen under LOCK_SH ends on a
  // record boundary; verifying up to it leaves signers free to append meanwhile.
  OTA_TRY(lock(fd.get(), LOCK_SH, log));
  auto size = regular_file_size(fd.get(), log);
  OTA_TRY(lock(fd.get(), LOCK_UN, log));
  if (!size) return std::move(size).error();

  LineReader reader(fd.get(), *size, log);
  VerifyReport report{0, kGenesis};
  // Where expect_head occurs earlier in the chain, to tell "grew since" from "cut or edited".
  std::optional<uint64_t> anchor_at;
  if (expected && *expected == kGenesis) anchor_at = 0;
  std::string line;
  for (;;) {
    auto got = reader.next(line);
    if (!got) return std::move(got).error();
    if (*got == LineReader::Got::end) break;
    const uint64_t n = ++report.records;
    const std::string where = "audit log " + quoted(log) + " line " + std::to_string(n) + ": ";
    auto reject = [&](const std::string& why) { return Error{Errc::rejected, where + why}; };
    if (*got == LineReader::Got::partial)
      return reject("incomplete record (no newline at the end of the file): a write was "
                    "interrupted or the file was cut; keep a copy, then remove the partial line");
    if (*got == LineReader::Got::too_long)
      return reject("longer than 65536 bytes: not an audit record");
    auto fields = check_line(line);
    if (!fields)
      return reject(fields.error().message +
                    "; the record was edited, or written by an incompatible tool");
    if (fields->seq != n)
      return reject("seq is " + std::to_string(fields->seq) + ", expected " + std::to_string(n) +
                    ": a record was deleted, duplicated or reordered");
    if (fields->prev_sha256 != report.head_sha256)
      return reject(n == 1 ? "prev_sha256 is not 64 zeros: the first record was edited"
                           : "prev_sha256 does not match line " + std::to_string(n - 1) +
                                 ": a record was edited, deleted or reordered");
    report.head_sha256 = sha256_hex(line);
    if (expected && *expected == report.head_sha256) anchor_at = n;
  }
  if (expected && *expected != report.head_sha256) {
    std::string message = "audit log " + quoted(log) + " ends at " +
                          report.head_sha256.substr(0, 12) + "… (" +
                          std::to_string(report.records) + " records), expected " +
                          expected->substr(0, 12) + "…";
    if (anchor_at)
      message += ", the head after line " + std::to_string(*anchor_at) + ": " +
                 std::to_string(report.records - *anchor_at) +
                 " records were appended since; verify against the newest anchored head";
    else
      message += ": records were removed from the end or the last one was edited";
    return Error{Errc::rejected, std::move(message)};
  }
  return report;
}

}  // namespace ota::audit
