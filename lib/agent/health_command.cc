#include "agent/health_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace ota::agent {
namespace {

// The payload in a private temp file; removed when this goes out of scope.
class PayloadFile {
 public:
  Result<void> create(ByteView payload) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ota-health-XXXXXX";
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) return errno_error(errno, "creating the payload file for the health command");
    created_ = true;
    size_t done = 0;
    while (done < payload.size()) {
      const ssize_t n = ::write(fd, payload.data() + done, payload.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = errno;
        ::close(fd);
        return errno_error(err, "writing '" + path_ + "'");
      }
      done += size_t(n);
    }
    ::fchmod(fd, 0700);  // so a command may run the payload itself, as the demo does
    ::close(fd);
    return {};
  }
  ~PayloadFile() {
    if (created_) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool created_ = false;
};

std::string seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

Result<HealthCommandResult> run_health_command(const std::string& command, ByteView payload,
                                               std::chrono::milliseconds timeout) {
  PayloadFile file;
  OTA_TRY(file.create(payload));
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return errno_error(errno, "starting the health command");
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a timeout kills everything it started
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(2, 1);  // what it prints is a log, never part of the caller's stdout (--json)
    ::execl("/bin/sh", "sh", "-c", (command + " \"$1\"").c_str(), "ota-health", file.path().c_str(), (char*)nullptr);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  HealthCommandResult out;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return errno_error(errno, "waiting for the health command");
    if (std::chrono::steady_clock::now() - start >= timeout) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      out.health = Health::hang;
      out.detail = "killed after " + seconds(std::chrono::steady_clock::now() - start) + " (timeout)";
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string after = " after " + seconds(std::chrono::steady_clock::now() - start);
  if (WIFEXITED(status)) {
    out.health = WEXITSTATUS(status) == 0 ? Health::ok : Health::fail;
    out.detail = "exit " + std::to_string(WEXITSTATUS(status)) + after;
  } else {
    out.health = Health::fail;
    out.detail = "killed by signal " + std::to_string(WTERMSIG(status)) + after;
  }
  return out;
}

}  // namespace ota::agent
