#include "agent/health_command.h"

#include <cstdio>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

namespace ota::agent {
namespace {

// Writes the payload to DIR/payload in a fresh mkdtemp directory; returns the directory.
Result<std::string> write_payload(ByteView payload) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string dir = (base / "ota-health.XXXXXX").string();
  if (!mkdtemp(dir.data())) return errno_error(errno, "creating a directory for the payload under '" + base.string() + "'");
  const std::string path = dir + "/payload";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
  if (fd < 0) {
    const int err = errno;
    ::rmdir(dir.c_str());
    return errno_error(err, "writing '" + path + "'");
  }
  size_t done = 0;
  while (done < payload.size()) {
    const ssize_t n = ::write(fd, payload.data() + done, payload.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      ::rmdir(dir.c_str());
      return errno_error(err, "writing '" + path + "'");
    }
    done += size_t(n);
  }
  ::close(fd);
  return dir;
}

}  // namespace

Result<HealthRun> run_health_command(const std::string& command, ByteView payload, double timeout_s) {
  auto dir = write_payload(payload);
  if (!dir) return std::move(dir).error();
  const std::string path = *dir + "/payload";
  auto cleanup = [&] {
    ::unlink(path.c_str());
    ::rmdir(dir->c_str());
  };
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    cleanup();
    return errno_error(err, "starting the health command");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(2, 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), "ota-health", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::setpgid(pid, pid);  // also here: whichever runs first, the group exists before a kill
  HealthRun run;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      const int err = errno;
      cleanup();
      return errno_error(err, "waiting for the health command");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      // The watchdog: the whole group, so a shell's children die with it.
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cleanup();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (run.timed_out) {
    run.health = Health::hang;
  } else if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    run.health = *run.exit_code == 0 ? Health::ok : Health::fail;
  } else {
    run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    run.health = Health::fail;
  }
  return run;
}

std::string HealthRun::detail() const {
  char buf[96];
  if (timed_out) std::snprintf(buf, sizeof buf, "killed after %.1f s (timeout)", seconds);
  else if (exit_code) std::snprintf(buf, sizeof buf, "exit %d after %.1f s", *exit_code, seconds);
  else std::snprintf(buf, sizeof buf, "killed by signal %d after %.1f s", signal.value_or(0), seconds);
  return buf;
}

}  // namespace ota::agent
