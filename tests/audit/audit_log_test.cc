#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "core/hex.h"

namespace ota::audit {
namespace {

using namespace std::chrono_literals;

const std::string kZeros(64, '0');
const std::string kKeyId = "eb68cd6d63592b1d5213e1352737e45ccb069e63b740b0f9367cd9c2954b26c4";

// The two example lines of docs/formats/audit-log.md, byte for byte.
const std::string kGoldenLine1 =
    R"({"algorithm":"ed25519","command":"sign","format":"ota-audit/1",)"
    R"("key_id":"eb68cd6d63592b1d5213e1352737e45ccb069e63b740b0f9367cd9c2954b26c4",)"
    R"("message_sha256":"c28678bf175d8e41a5fe3c1cb871ea770a9b558fbc05bb17c52895f04a96d21a",)"
    R"("prev_sha256":"0000000000000000000000000000000000000000000000000000000000000000",)"
    R"("role":"targets","seq":1,"time":"2026-11-25T12:00:00Z","tool":"ota-sign","user":"ci"})";
const std::string kGoldenLine2 =
    R"({"algorithm":"ed25519","command":"sign","format":"ota-audit/1",)"
    R"("key_id":"eb68cd6d63592b1d5213e1352737e45ccb069e63b740b0f9367cd9c2954b26c4",)"
    R"("message_sha256":"24d551ba6565535ed01358029dc65dd59bf367f77b63e59c371954304446ab53",)"
    R"("prev_sha256":"b773e7dc29e59711a8696c36e3b125a66f640afa1c15704345b66c767b0881ed",)"
    R"("role":null,"seq":2,"time":"2026-11-25T12:05:00Z","tool":"ota-sign","user":"ci"})";
const std::string kGoldenHead = "9a3702d28afc88e14b47f3bc2984cb31f9bbf4881d3756a73e053171227aaf68";

std::chrono::system_clock::time_point golden_time() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 12h;
}

std::string sha256_hex(const std::string& s) {
  return to_hex(crypto::sha256({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
}

crypto::Sha256Digest digest_of(const std::string& s) {
  return crypto::sha256({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

Record record(int i, std::string role = "targets") {
  return Record{kKeyId, std::move(role), "ed25519", digest_of("firmware-" + std::to_string(i)),
                "ota-sign", "sign"};
}

Context context(int i) { return Context{"ci", golden_time() + std::chrono::minutes(i)}; }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<std::string> lines_of(const std::string& bytes) {
  std::vector<std::string> lines;
  std::stringstream s(bytes);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

class AuditLog : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-audit-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_ = dir_ / "audit.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void append_n(int n) {
    for (int i = 1; i <= n; ++i) ASSERT_TRUE(append(log_, record(i), context(i)));
  }
  // Verifies and returns the error message, failing the test if the log verifies.
  std::string rejection(const std::optional<std::string>& head = std::nullopt) {
    auto r = verify(log_, head);
    if (r) {
      ADD_FAILURE() << "verify accepted the log";
      return {};
    }
    EXPECT_EQ(r.error().code, Errc::rejected);
    return r.error().message;
  }
  std::string where(int line) {
    return "audit log '" + log_.string() + "' line " + std::to_string(line) + ": ";
  }

  std::filesystem::path dir_;
  std::filesystem::path log_;
};

TEST_F(AuditLog, AppendedRecordsFormAVerifiableChain) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  ASSERT_EQ(lines.size(), 5u);
  const std::set<std::string> kKeys = {"algorithm", "command", "format", "key_id",
                                       "message_sha256", "prev_sha256", "role", "seq",
                                       "time", "tool", "user"};
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    std::set<std::string> keys;
    for (const auto& item : j.items()) keys.insert(item.key());
    EXPECT_EQ(keys, kKeys);  // nothing else, so no PIN or secret can ride along
    EXPECT_EQ(j["format"], "ota-audit/1");
    EXPECT_EQ(j["seq"], i + 1);
    EXPECT_EQ(j["prev_sha256"], i == 0 ? kZeros : sha256_hex(lines[i - 1]));
    EXPECT_EQ(j["message_sha256"], to_hex(digest_of("firmware-" + std::to_string(i + 1))));
  }
  auto report = verify(log_, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 5u);
  EXPECT_EQ(report->head_sha256, sha256_hex(lines[4]));
  EXPECT_TRUE(verify(log_, sha256_hex(lines[4])));
}

TEST_F(AuditLog, WritesTheDocumentedBytes) {
  Record first{kKeyId, "targets", "ed25519", digest_of("firmware-1.2.0.bin"), "ota-sign", "sign"};
  Record second{kKeyId, "", "ed25519", digest_of("firmware-1.2.1.bin"), "ota-sign", "sign"};
  // Sub-second parts are truncated, not rounded.
  ASSERT_TRUE(append(log_, first, Context{"ci", golden_time() + 999ms}));
  ASSERT_TRUE(append(log_, second, Context{"ci", golden_time() + 5min}));
  EXPECT_EQ(read_file(log_), kGoldenLine1 + "\n" + kGoldenLine2 + "\n");
  auto report = verify(log_, kGoldenHead);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 2u);
}

TEST_F(AuditLog, SameInputsGiveIdenticalBytes) {
  auto other = dir_ / "other.log";
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(append(log_, record(i), context(i)));
    ASSERT_TRUE(append(other, record(i), context(i)));
  }
  EXPECT_EQ(read_file(log_), read_file(other));
}

TEST_F(AuditLog, EmptyRoleIsWrittenAsNull) {
  ASSERT_TRUE(append(log_, record(1, ""), context(1)));
  auto j = nlohmann::json::parse(lines_of(read_file(log_))[0]);
  EXPECT_TRUE(j["role"].is_null());
  EXPECT_TRUE(verify(log_, std::nullopt));
}

TEST_F(AuditLog, NonAsciiIsEscapedSoTheLineIsAscii) {
  ASSERT_TRUE(append(log_, record(1), Context{"j\xc3\xbcrgen", golden_time()}));
  EXPECT_NE(read_file(log_).find(R"("user":"j\u00fcrgen")"), std::string::npos);
  EXPECT_TRUE(verify(log_, std::nullopt));
}

TEST_F(AuditLog, NewLogIsCreatedWithMode0640) {
  const mode_t mask = ::umask(022);
  append_n(1);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(log_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(AuditLog, EditedMiddleRecordIsNamedByTheNextLine) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  auto at = lines[2].find(kKeyId);
  lines[2][at] = 'f';  // still a valid key id: only the chain can tell
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(4) + "prev_sha256 does not match line 3: a record was edited, "
                                    "deleted or reordered");
}

TEST_F(AuditLog, EditThatBreaksAFieldNamesTheEditedLine) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  lines[2][lines[2].find(kKeyId)] = 'G';
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(3) + "'key_id' must be 64 lowercase hex digits; the record was "
                                    "edited, or written by an incompatible tool");
}

TEST_F(AuditLog, DeletedMiddleRecordIsNamedByTheLineAfter) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  lines.erase(lines.begin() + 2);
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(3) + "seq is 4, expected 3: a record was deleted, duplicated or "
                                    "reordered");
}

TEST_F(AuditLog, DeletionWithRenumberingIsCaughtByTheHash) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  lines.erase(lines.begin() + 2);
  for (size_t i = 2; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    j["seq"] = i + 1;
    lines[i] = j.dump(-1, ' ', true);
  }
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(3) + "prev_sha256 does not match line 2: a record was edited, "
                                    "deleted or reordered");
}

TEST_F(AuditLog, SwappedRecordsAreDetected) {
  append_n(5);
  auto lines = lines_of(read_file(log_));
  std::swap(lines[1], lines[2]);
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(2) + "seq is 3, expected 2: a record was deleted, duplicated or "
                                    "reordered");
}

TEST_F(AuditLog, EditedFirstRecordPrevIsDetected) {
  append_n(2);
  auto lines = lines_of(read_file(log_));
  lines[0].replace(lines[0].find(kZeros), 1, "1");
  write_file(log_, join(lines));
  EXPECT_EQ(rejection(), where(1) + "prev_sha256 is not 64 zeros: the first record was edited");
}

// The documented limitation: nothing after the last record vouches for it.
TEST_F(AuditLog, EditedLastRecordIsCaughtOnlyWithTheAnchoredHead) {
  append_n(5);
  const std::string head = verify(log_, std::nullopt)->head_sha256;
  auto lines = lines_of(read_file(log_));
  lines[4][lines[4].find(kKeyId)] = 'f';
  write_file(log_, join(lines));
  auto unanchored = verify(log_, std::nullopt);
  ASSERT_TRUE(unanchored);
  EXPECT_EQ(unanchored->records, 5u);
  const std::string now = sha256_hex(lines[4]);
  EXPECT_EQ(rejection(head),
            "audit log '" + log_.string() + "' ends at " + now.substr(0, 12) +
                "… (5 records), expected " + head.substr(0, 12) +
                "…: records were removed from the end or the last one was edited");
}

TEST_F(AuditLog, RecordsCutFromTheEndAreCaughtOnlyWithTheAnchoredHead) {
  append_n(5);
  const std::string head = verify(log_, std::nullopt)->head_sha256;
  auto lines = lines_of(read_file(log_));
  lines.resize(3);
  write_file(log_, join(lines));
  auto unanchored = verify(log_, std::nullopt);
  ASSERT_TRUE(unanchored);
  EXPECT_EQ(unanchored->records, 3u);
  EXPECT_NE(rejection(head).find("records were removed from the end"), std::string::npos);
}

TEST_F(AuditLog, OlderAnchorSaysHowManyRecordsCameAfterIt) {
  append_n(3);
  const std::string head = verify(log_, std::nullopt)->head_sha256;
  ASSERT_TRUE(append(log_, record(4), context(4)));
  ASSERT_TRUE(append(log_, record(5), context(5)));
  EXPECT_NE(rejection(head).find(", the head after line 3: 2 records were appended since"),
            std::string::npos);
}

TEST_F(AuditLog, IncompleteLastRecordIsRejectedAndBlocksAppend) {
  append_n(5);
  std::string bytes = read_file(log_);
  bytes.resize(bytes.size() - 40);  // a torn write
  write_file(log_, bytes);
  EXPECT_EQ(rejection().substr(0, where(5).size() + 17), where(5) + "incomplete record");

  auto refused = append(log_, record(6), context(6));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_EQ(refused.error().message, "audit log '" + log_.string() +
                                         "' ends with an incomplete record; run 'ota-keys audit "
                                         "verify " + log_.string() + "'");
  EXPECT_EQ(read_file(log_), bytes);  // untouched
}

TEST_F(AuditLog, MissingFinalNewlineIsAnIncompleteRecord) {
  append_n(2);
  std::string bytes = read_file(log_);
  bytes.pop_back();
  write_file(log_, bytes);
  EXPECT_NE(rejection().find(where(2) + "incomplete record"), std::string::npos);
  EXPECT_FALSE(append(log_, record(3), context(3)));
}

TEST_F(AuditLog, InvalidLastRecordBlocksAppend) {
  append_n(2);
  const std::string bytes = read_file(log_) + "{\"seq\":3}\n";
  write_file(log_, bytes);
  auto refused = append(log_, record(3), context(3));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_EQ(refused.error().message,
            "audit log '" + log_.string() + "' ends with an invalid record (missing field "
            "'algorithm'); run 'ota-keys audit verify " + log_.string() + "'");
  EXPECT_EQ(read_file(log_), bytes);
}

TEST_F(AuditLog, UnknownFieldIsRejected) {
  append_n(1);
  auto j = nlohmann::json::parse(lines_of(read_file(log_))[0]);
  j["pin"] = "1234";
  write_file(log_, j.dump() + "\n");
  EXPECT_EQ(rejection(), where(1) + "unexpected field \"pin\"; the record was edited, or written "
                                    "by an incompatible tool");
}

TEST_F(AuditLog, NonCanonicalSpellingIsRejected) {
  append_n(1);
  const std::string line = lines_of(read_file(log_))[0];
  std::string spaced = line;
  spaced.insert(spaced.find(",\"command\"") + 1, " ");
  std::string duplicate = line;  // readers disagree on which of two keys wins
  duplicate.insert(duplicate.find("\"seq\":1,"), "\"seq\":1,");
  for (const std::string& bad : {spaced, duplicate, line + "\r"}) {
    write_file(log_, bad + "\n");
    EXPECT_NE(rejection().find(where(1) + "not in canonical form"), std::string::npos) << bad;
  }
}

TEST_F(AuditLog, OverlongLineIsRejected) {
  write_file(log_, std::string(70000, 'x') + "\n");
  EXPECT_EQ(rejection(), where(1) + "longer than 65536 bytes: not an audit record");
}

TEST_F(AuditLog, EmptyFileIsAValidEmptyLog) {
  write_file(log_, "");
  auto report = verify(log_, kZeros);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 0u);
  EXPECT_EQ(report->head_sha256, kZeros);
}

TEST_F(AuditLog, MissingLogIsNotFound) {
  auto r = verify(log_, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(r.error().message, "audit log '" + log_.string() + "' does not exist; check the path");
}

TEST_F(AuditLog, MalformedExpectedHeadIsInvalidArgument) {
  append_n(1);
  auto r = verify(log_, std::string("abc123"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  // Upper case is the same digest.
  std::string upper = verify(log_, std::nullopt)->head_sha256;
  for (char& c : upper) c = char(std::toupper(c));
  EXPECT_TRUE(verify(log_, upper));
}

TEST_F(AuditLog, InvalidRecordIsRefusedBeforeTheLogIsCreated) {
  Record upper = record(1);
  upper.key_id[0] = 'E';
  Record algorithm = record(1);
  algorithm.algorithm = "rsa";
  Record tool = record(1);
  tool.tool = "";
  for (const Record& r : {upper, algorithm, tool}) {
    auto refused = append(log_, r, context(1));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_argument) << refused.error().message;
  }
  auto no_user = append(log_, record(1), Context{"", golden_time()});
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().code, Errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(log_));
}

TEST_F(AuditLog, MissingDirectoryIsNotFound) {
  auto r = append(dir_ / "absent" / "audit.log", record(1), context(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

// Records longer than append's 4 KiB backwards-read chunk, first at the start of the file.
TEST_F(AuditLog, LongRecordsChainAcrossReadChunks) {
  const Context wide{std::string(10000, 'u'), golden_time()};
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(append(log_, record(i), wide));
  auto report = verify(log_, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 3u);

  auto too_long = append(log_, record(4), Context{std::string(70000, 'u'), golden_time()});
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
}

TEST_F(AuditLog, FailedWriteLeavesNoPartialRecord) {
  append_n(2);
  const std::string before = read_file(log_);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The file size limit stops write() partway through the record (EFBIG).
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {before.size() + 100, before.size() + 100};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto r = append(log_, record(3), context(3));
    ::_exit(!r && r.error().code == Errc::io ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(read_file(log_), before);
  EXPECT_TRUE(append(log_, record(3), context(3)));
  EXPECT_TRUE(verify(log_, std::nullopt));
}

TEST_F(AuditLog, ConcurrentThreadsFormOneChain) {
  auto worker = [&](int base) {
    for (int i = 0; i < 50; ++i) {
      auto r = append(log_, record(base + i), context(base + i));
      EXPECT_TRUE(r) << r.error().message;
    }
  };
  std::thread a(worker, 0), b(worker, 1000);
  a.join();
  b.join();
  auto report = verify(log_, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 100u);
}

TEST_F(AuditLog, ConcurrentProcessesFormOneChain) {
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < 50; ++i)
        if (!append(log_, record(p * 1000 + i), context(i))) ::_exit(1);
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto report = verify(log_, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 100u);
}

TEST(AuditContext, NamesTheEffectiveUserAndTheTime) {
  auto before = std::chrono::system_clock::now();
  Context c = current_context();
  EXPECT_FALSE(c.user.empty());
  EXPECT_GE(c.now, before);
  EXPECT_LE(c.now, std::chrono::system_clock::now());
}

}  // namespace
}  // namespace ota::audit
