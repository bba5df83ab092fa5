// HttpSource against tests/cli/repo_server.py on 127.0.0.1: URLs, quoting, limits,
// streaming resume and redirects, each checked by the bytes, the error code and the
// server's request log.
#include "client/http_source.h"
#include "client/names.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "client/faulty_source.h"

extern char** environ;

namespace ota::client {
namespace {

namespace fs = std::filesystem;

Bytes pattern(size_t n, uint32_t seed = 1) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t((seed = seed * 1103515245u + 12345u) >> 16);
  return b;
}

void write_file(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Runs repo_server.py over a fresh temporary directory for one test.
class RepoServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The loopback server must not be reached through a configured proxy.
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) unsetenv(v);
    char tmpl[] = "/tmp/http_source_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ / "repo";
    fs::create_directories(root_);
  }

  void TearDown() override {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start(std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"python3", OTA_REPO_SERVER, root_.string(), "--log", (dir_ / "requests.log").string(),
                                     "--control", (dir_ / "control.json").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    const int rc = posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    ASSERT_EQ(rc, 0) << "cannot run python3";
    FILE* f = fdopen(out[0], "r");
    char line[64] = {0};
    const bool got = fgets(line, sizeof line, f) != nullptr;
    fclose(f);
    ASSERT_TRUE(got) << "repo_server.py printed no port";
    int port = 0;
    ASSERT_EQ(std::sscanf(line, "PORT %d", &port), 1) << line;
    url_ = "http://127.0.0.1:" + std::to_string(port);
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  // Replaces the fault table the server reads on each request.
  void control(const std::string& json) {
    std::ofstream(dir_ / "control.tmp") << json;
    fs::rename(dir_ / "control.tmp", dir_ / "control.json");
  }

  std::vector<std::string> log() const {
    std::ifstream in(dir_ / "requests.log");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

  fs::path dir_, root_;
  std::string url_;
  pid_t pid_ = 0;
};

using Log = std::vector<std::string>;

// Collects what stream_target hands over.
struct Collect {
  Bytes bytes;
  ByteSink sink() {
    return [this](ByteView b) -> Result<void> {
      bytes.insert(bytes.end(), b.begin(), b.end());
      return {};
    };
  }
};

TEST(HttpQuoting, QuotesAComponentLikePythonQuoteWithNothingSafe) {
  // Expected values from Python 3.11: urllib.parse.quote(name, safe="").
  EXPECT_EQ(quote_component("1./delegatedrole.json"), "1.%2Fdelegatedrole.json");
  EXPECT_EQ(quote_component(std::string("2.a b?#%\xC3\xA9\0x.json", 17)), "2.a%20b%3F%23%25%C3%A9%00x.json");
  EXPECT_EQ(quote_component("../../x"), "..%2F..%2Fx");
  EXPECT_EQ(quote_component("~a-b_c.d!*()'"), "~a-b_c.d%21%2A%28%29%27");
}

TEST(HttpQuoting, EncodesTargetPathsBySegmentWithDotSegmentsEscaped) {
  EXPECT_EQ(encode_target_path("fw/abc.fw.bin"), "fw/abc.fw.bin");
  EXPECT_EQ(encode_target_path("a/./b/../c d.bin"), "a/%2E/b/%2E%2E/c%20d.bin");
  EXPECT_EQ(encode_target_path("../../etc/passwd"), "%2E%2E/%2E%2E/etc/passwd");
  EXPECT_EQ(encode_target_path("..."), "...");
  EXPECT_EQ(encode_target_path("a%2Fb/?#"), "a%252Fb/%3F%23");
}

TEST_F(RepoServerTest, ExplicitUrlsAreUsedAsGiven) {
  write_file(root_ / "meta" / "timestamp.json", text("{\"ts\":1}"));
  write_file(root_ / "files" / "fw" / "a.bin", text("firmware"));
  write_file(root_ / "metadata" / "timestamp.json", text("{\"ts\":2}"));
  start();
  HttpSource explicit_urls(HttpUrls{url_ + "/meta", url_ + "/files/"});
  EXPECT_EQ(explicit_urls.metadata_url(), url_ + "/meta/");
  EXPECT_EQ(explicit_urls.targets_url(), url_ + "/files/");
  auto ts = explicit_urls.fetch_metadata("timestamp.json", 1000);
  ASSERT_TRUE(ts) << ts.error().message;
  EXPECT_EQ(*ts, text("{\"ts\":1}"));
  auto fw = explicit_urls.fetch_target("fw/a.bin", 1000);
  ASSERT_TRUE(fw) << fw.error().message;
  EXPECT_EQ(*fw, text("firmware"));
  // The repository-base constructor still appends metadata/.
  HttpSource base(url_);
  auto ts2 = base.fetch_metadata("timestamp.json", 1000);
  ASSERT_TRUE(ts2) << ts2.error().message;
  EXPECT_EQ(*ts2, text("{\"ts\":2}"));
  EXPECT_EQ(log(), (Log{"GET /meta/timestamp.json 200 -", "GET /files/fw/a.bin 200 -", "GET /metadata/timestamp.json 200 -"}));
}

TEST_F(RepoServerTest, OddMetadataNamesAreRequestedAsOneQuotedComponent) {
  // On disk, repo_server.py keeps a decoded '/' , '%' and NUL as %2F, %25, %00.
  write_file(root_ / "metadata" / "1.%2Fdelegatedrole.json", text("slash"));
  write_file(root_ / "metadata" / "2.a b?#%25\xC3\xA9%00x.json", text("odd"));
  write_file(root_ / "metadata" / "..%2F..%2Fx", text("dots"));
  start();
  HttpSource source(HttpUrls{url_ + "/metadata/", url_ + "/targets/"});
  auto a = source.fetch_metadata("1./delegatedrole.json", 100);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, text("slash"));
  auto b = source.fetch_metadata(std::string("2.a b?#%\xC3\xA9\0x.json", 17), 100);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(*b, text("odd"));
  auto c = source.fetch_metadata("../../x", 100);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c, text("dots"));
  EXPECT_EQ(log(), (Log{"GET /metadata/1.%2Fdelegatedrole.json 200 -",
                        "GET /metadata/2.a%20b%3F%23%25%C3%A9%00x.json 200 -", "GET /metadata/..%2F..%2Fx 200 -"}));
}

TEST_F(RepoServerTest, DotSegmentsOfATargetPathStayUnderTheTargetsUrl) {
  // "a/./b/../c d.bin" is sent as a/%2E/b/%2E%2E/c%20d.bin, which the server keeps
  // as the literal names %2E and %2E%2E; resolved dots would ask for /targets/a/c d.bin.
  write_file(root_ / "targets" / "a" / "%2E" / "b" / "%2E%2E" / "c d.bin", text("dotted"));
  write_file(root_ / "targets" / "a" / "c d.bin", text("resolved"));
  write_file(root_ / "secret.bin", text("outside"));
  start();
  HttpSource source(url_);
  auto got = source.fetch_target("a/./b/../c d.bin", 100);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, text("dotted"));
  auto up = source.fetch_target("../secret.bin", 100);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, Errc::not_found);
  Collect streamed;
  ASSERT_TRUE(source.stream_target("a/./b/../c d.bin", 2, 100, streamed.sink()));
  EXPECT_EQ(streamed.bytes, text("tted"));
  EXPECT_EQ(log(), (Log{"GET /targets/a/%2E/b/%2E%2E/c%20d.bin 200 -", "GET /targets/%2E%2E/secret.bin 404 -",
                        "GET /targets/a/%2E/b/%2E%2E/c%20d.bin 206 bytes=2-"}));
}

TEST_F(RepoServerTest, MissingOrForbiddenFilesAreNotFoundAndServerErrorsAreIo) {
  start();
  control(R"({"/metadata/403.json": {"status": 403}, "/metadata/410.json": {"status": 410},
              "/metadata/500.json": {"status": 500}})");
  HttpSource source(url_);
  for (const char* name : {"2.root.json", "403.json", "410.json"}) {
    auto r = source.fetch_metadata(name, 100);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, Errc::not_found) << name;
  }
  auto r500 = source.fetch_metadata("500.json", 100);
  ASSERT_FALSE(r500);
  EXPECT_EQ(r500.error().code, Errc::io);
  Collect streamed;
  auto s = source.stream_target("fw/none.bin", 0, 100, streamed.sink());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::not_found);
  EXPECT_TRUE(streamed.bytes.empty());  // the 404 page is not the file
  EXPECT_EQ(log(), (Log{"GET /metadata/2.root.json 404 -", "GET /metadata/403.json 403 -", "GET /metadata/410.json 410 -",
                        "GET /metadata/500.json 500 -", "GET /targets/fw/none.bin 404 -"}));
}

TEST_F(RepoServerTest, EndlessDataIsCutAtTheLimit) {
  start();
  control(R"({"/metadata/timestamp.json": {"endless": true}, "/targets/big.bin": {"endless": true}})");
  HttpSource source(url_);
  auto meta = source.fetch_metadata("timestamp.json", 5000);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, Errc::too_large);
  auto target = source.fetch_target("big.bin", 300000);
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().code, Errc::too_large);
  Collect streamed;
  auto s = source.stream_target("big.bin", 0, 300001, streamed.sink());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::too_large);
  EXPECT_EQ(streamed.bytes, Bytes(300001, 'x'));
}

TEST_F(RepoServerTest, StreamingAFileLongerThanTheLimitHandsOverExactlyTheLimit) {
  const Bytes file = pattern(100000);
  write_file(root_ / "targets" / "fw.bin", file);
  start();
  HttpSource source(url_);
  Collect streamed;
  auto s = source.stream_target("fw.bin", 1000, 50000, streamed.sink());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::too_large);
  EXPECT_EQ(streamed.bytes, Bytes(file.begin() + 1000, file.begin() + 51000));
  Collect exact;  // exactly at the limit is fine
  ASSERT_TRUE(source.stream_target("fw.bin", 1000, 99000, exact.sink()));
  EXPECT_EQ(exact.bytes, Bytes(file.begin() + 1000, file.end()));
}

// A connection dropped after 70000 body bytes, twice; the third request completes.
class ResumeTest : public RepoServerTest {
 protected:
  void run(const std::string& ranges, const std::string& ok_status) {
    const Bytes file = pattern(200000, 7);
    write_file(root_ / "targets" / "fw.bin", file);
    start({"--ranges", ranges});
    control(R"({"/targets/fw.bin": {"drop_after_bytes": 70000}})");
    HttpSource source(url_);
    Bytes all;
    uint64_t offset = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
      Collect part;
      auto r = source.stream_target("fw.bin", offset, file.size(), part.sink());
      ASSERT_FALSE(r) << "attempt " << attempt;
      EXPECT_EQ(r.error().code, Errc::io) << r.error().message;
      // Without ranges the second answer drops before reaching the offset: nothing new.
      const size_t want = ranges == "on" || attempt == 0 ? 70000u : 0u;
      EXPECT_EQ(part.bytes.size(), want) << "attempt " << attempt;
      all.insert(all.end(), part.bytes.begin(), part.bytes.end());
      offset += part.bytes.size();
    }
    control("{}");
    Collect rest;
    auto r = source.stream_target("fw.bin", offset, file.size() - offset, rest.sink());
    ASSERT_TRUE(r) << r.error().message;
    all.insert(all.end(), rest.bytes.begin(), rest.bytes.end());
    EXPECT_EQ(all, file);
    EXPECT_EQ(log(), (Log{"GET /targets/fw.bin 200 -", "GET /targets/fw.bin " + ok_status + " bytes=70000-",
                          "GET /targets/fw.bin " + ok_status + " bytes=" + std::to_string(offset) + "-"}));
  }
};

TEST_F(ResumeTest, StreamResumesWithARangeAfterADroppedConnection) { run("on", "206"); }

TEST_F(ResumeTest, StreamResumesFromAServerThatIgnoresRangesBySkipping) { run("off", "200"); }

TEST_F(RepoServerTest, RetryingSourceResumesAnHttpStreamUntilItCompletes) {
  const Bytes file = pattern(200000, 9);
  write_file(root_ / "targets" / "fw.bin", file);
  start();
  control(R"({"/targets/fw.bin": {"drop_after_bytes": 70000}})");
  HttpSource http(url_);
  RetryingSource retrying(http, 3);
  Collect streamed;
  auto r = retrying.stream_target("fw.bin", 0, file.size(), streamed.sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(streamed.bytes, file);
  EXPECT_EQ(retrying.retried(), 2u);
  EXPECT_EQ(log(), (Log{"GET /targets/fw.bin 200 -", "GET /targets/fw.bin 206 bytes=70000-",
                        "GET /targets/fw.bin 206 bytes=140000-"}));
}

TEST_F(RepoServerTest, AnOffsetPastTheEndIsInvalidAndTheEndItselfIsEmpty) {
  write_file(root_ / "targets" / "fw.bin", pattern(1000));
  start();
  HttpSource source(url_);
  Collect past, end;
  auto r = source.stream_target("fw.bin", 1001, 100, past.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_TRUE(past.bytes.empty());
  auto e = source.stream_target("fw.bin", 1000, 100, end.sink());
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(end.bytes.empty());
  EXPECT_EQ(log(), (Log{"GET /targets/fw.bin 416 bytes=1001-", "GET /targets/fw.bin 416 bytes=1000-"}));
}

TEST_F(RepoServerTest, AnOffsetPastTheEndIsInvalidWithoutRangesToo) {
  write_file(root_ / "targets" / "fw.bin", pattern(1000));
  start({"--ranges", "off"});
  HttpSource source(url_);
  Collect past;
  auto r = source.stream_target("fw.bin", 1001, 100, past.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_TRUE(past.bytes.empty());
}

TEST_F(RepoServerTest, ASinkErrorAbortsTheTransferAndIsReturned) {
  write_file(root_ / "targets" / "fw.bin", pattern(1 << 20));
  start();
  HttpSource source(url_);
  size_t calls = 0, taken = 0;
  auto r = source.stream_target("fw.bin", 0, 1 << 20, [&](ByteView b) -> Result<void> {
    if (++calls == 2) return Error{Errc::no_space, "disk full"};
    taken += b.size();
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::no_space);
  EXPECT_EQ(r.error().message, "disk full");
  EXPECT_EQ(calls, 2u);  // nothing after the failure
  EXPECT_LT(taken, size_t(1 << 20));
}

TEST_F(RepoServerTest, RedirectsAreFollowedUpToMaxRedirectsAndKeepTheRange) {
  write_file(root_ / "files" / "a.bin", text("0123456789"));
  start();
  control(R"({"/r/c.bin": {"redirect_to": "/r/b.bin"}, "/r/b.bin": {"redirect_to": "/r/a.bin"},
              "/r/a.bin": {"redirect_to": ")" + url_ + R"(/files/a.bin", "status": 301}})");
  HttpSource source(HttpUrls{url_ + "/m/", url_ + "/r/"}, HttpOptions{.max_redirects = 2});
  auto two = source.fetch_target("b.bin", 100);
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(*two, text("0123456789"));
  Collect streamed;
  ASSERT_TRUE(source.stream_target("b.bin", 4, 100, streamed.sink()));
  EXPECT_EQ(streamed.bytes, text("456789"));
  auto three = source.fetch_target("c.bin", 100);
  ASSERT_FALSE(three);
  EXPECT_EQ(three.error().code, Errc::io);
  EXPECT_NE(three.error().message.find("redirects more than 2 times"), std::string::npos) << three.error().message;
  EXPECT_EQ(log(), (Log{"GET /r/b.bin 302 -", "GET /r/a.bin 301 -", "GET /files/a.bin 200 -",
                        "GET /r/b.bin 302 bytes=4-", "GET /r/a.bin 301 bytes=4-", "GET /files/a.bin 206 bytes=4-",
                        "GET /r/c.bin 302 -", "GET /r/b.bin 302 -", "GET /r/a.bin 301 -"}));
}

TEST_F(RepoServerTest, TheTotalTimeoutEndsAStalledRequest) {
  write_file(root_ / "metadata" / "timestamp.json", text("{}"));
  start();
  control(R"({"/metadata/timestamp.json": {"stall_seconds": 5}})");
  HttpSource source(url_, url_, HttpOptions{.total_timeout_seconds = 1});
  const auto t0 = std::chrono::steady_clock::now();
  auto r = source.fetch_metadata("timestamp.json", 100);
  const auto spent = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_LT(spent, std::chrono::seconds(4));
  EXPECT_GE(spent, std::chrono::milliseconds(900));
}

}  // namespace
}  // namespace ota::client
