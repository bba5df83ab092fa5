#include "io/posix_storage.h"

#include "core/large_buffer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace ota::io {
namespace {

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

FileStamp stamp_of(const struct stat& st) {
  return {uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, uint64_t(st.st_ino)};
}

// Not a std::vector: zero-filling a large image first would cost a pass over it.
// Small files go to the heap: a fresh mapping per file costs ~10x the read itself
// (page-table changes), which dominates repositories of many small targets.
class MemoryInput final : public InputFile {
 public:
  static constexpr size_t kHeapLimit = 1 << 20;
  explicit MemoryInput(size_t size) : size_(size) {
    if (size <= kHeapLimit) {
      heap_ = std::make_unique_for_overwrite<uint8_t[]>(size);
      data_ = heap_.get();
    } else {
      mapped_ = LargeBuffer(size);
      data_ = static_cast<uint8_t*>(mapped_.data());
      if (!data_) throw std::bad_alloc();
    }
  }
  uint8_t* data() { return data_; }
  ByteView bytes() const override { return {data_, size_}; }

 private:
  size_t size_;
  uint8_t* data_ = nullptr;
  std::unique_ptr<uint8_t[]> heap_;
  LargeBuffer mapped_;
};

class FdOutput final : public OutputFile {
 public:
  FdOutput(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {
    buffer_.reserve(kBufferBytes);
  }
  ~FdOutput() override { (void)close(); }

  Result<void> write(ByteView data) override {
    if (data.size() >= kBufferBytes) {
      OTA_TRY(flush());
      return write_all(data);
    }
    if (buffer_.size() + data.size() > kBufferBytes) OTA_TRY(flush());
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return {};
  }
  Result<void> sync() override {
    OTA_TRY(flush());
    if (::fsync(fd_) != 0) return errno_error(errno, "syncing " + quoted(path_));
    return {};
  }
  Result<FileStamp> stamp() override {
    OTA_TRY(flush());
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return errno_error(errno, "reading " + quoted(path_));
    return stamp_of(st);
  }
  Result<void> close() override {
    if (fd_ < 0) return {};
    auto flushed = flush();
    int rc = ::close(fd_);
    fd_ = -1;
    if (!flushed) return flushed;
    if (rc != 0) return errno_error(errno, "closing " + quoted(path_));
    return {};
  }

 private:
  static constexpr size_t kBufferBytes = 256 * 1024;

  Result<void> flush() {
    auto done = write_all(buffer_);
    buffer_.clear();
    return done;
  }
  Result<void> write_all(ByteView data) {
    if (fd_ < 0) return Error{Errc::io, "writing " + quoted(path_) + ": file already closed"};
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno_error(errno, "writing " + quoted(path_));
      data = data.subspan(size_t(n));
    }
    return {};
  }

  int fd_;
  std::filesystem::path path_;
  Bytes buffer_;
};

}  // namespace

PosixStorage::PosixStorage() {
  std::random_device entropy;
  temp_seed_ = (uint64_t(entropy()) << 32) | entropy();
}

Result<std::unique_ptr<InputFile>> PosixStorage::open_input(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error{Errc::not_found, quoted(path) + " does not exist"};
    return errno_error(errno, "opening " + quoted(path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto e = errno_error(errno, "reading " + quoted(path));
    ::close(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{Errc::invalid_argument, quoted(path) + " is not a regular file"};
  }
  // Read rather than mmap: a file truncated under a mapping would SIGBUS, and the
  // bytes are touched anyway, so resident memory is the same.
  std::unique_ptr<MemoryInput> input;
  try {
    input = std::make_unique<MemoryInput>(size_t(st.st_size));
  } catch (const std::bad_alloc&) {
    ::close(fd);
    return Error{Errc::too_large, quoted(path) + " does not fit in memory"};
  }
  const size_t size = size_t(st.st_size);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, input->data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = errno_error(errno, "reading " + quoted(path));
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    got += size_t(n);
  }
  ::close(fd);
  if (got != size)
    return Error{Errc::io, "reading " + quoted(path) + ": the file shrank while being read"};
  return std::unique_ptr<InputFile>(std::move(input));
}

Result<std::unique_ptr<OutputFile>> PosixStorage::create_temp(const std::filesystem::path& dest,
                                                              FileMode mode,
                                                              std::filesystem::path& temp_path) {
  auto dir = dest.parent_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    // splitmix64 of seed + counter: distinct per call, spread over the name space.
    uint64_t x = temp_seed_ + 0x9e3779b97f4a7c15ULL * ++temp_counter_;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(x));
    temp_path = dir / ("." + dest.filename().string() + ".tmp-" + suffix);
    // O_EXCL: never follow or reuse a file someone else put there.
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    mode == FileMode::kPrivate ? 0600 : 0666);
    if (fd >= 0) return std::unique_ptr<OutputFile>(new FdOutput(fd, temp_path));
    if (errno == ENOENT)
      return Error{Errc::not_found, "the output directory " + quoted(dir.empty() ? "." : dir) +
                                        " does not exist; create it first"};
    if (errno != EEXIST)
      return errno_error(errno, "creating a file in " + quoted(dir.empty() ? "." : dir));
  }
  return Error{Errc::io, "could not create a unique temporary file beside " + quoted(dest)};
}

Result<void> PosixStorage::rename(const std::filesystem::path& from,
                                  const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return errno_error(errno, "renaming " + quoted(from) + " to " + quoted(to));
  return {};
}

Result<bool> PosixStorage::rename_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS)  // file systems without RENAME_NOREPLACE: check, then rename
    return errno_error(errno, "renaming " + quoted(from) + " to " + quoted(to));
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0) return false;
  OTA_TRY(rename(from, to));
  return true;
}

Result<void> PosixStorage::sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, "opening directory " + quoted(dir));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) return errno_error(err, "syncing directory " + quoted(dir));
  return {};
}

void PosixStorage::remove(const std::filesystem::path& path) noexcept { ::unlink(path.c_str()); }

bool PosixStorage::same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool PosixStorage::is_directory(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> PosixStorage::list_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec == std::errc::no_such_file_or_directory)
    return Error{Errc::not_found, quoted(dir) + " does not exist"};
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) return errno_error(ec.value(), "listing " + quoted(dir));
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> PosixStorage::create_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return errno_error(ec.value(), "creating directory " + quoted(dir));
  return {};
}

Result<FileStamp> PosixStorage::stamp(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error{Errc::not_found, quoted(path) + " does not exist"};
    return errno_error(errno, "reading " + quoted(path));
  }
  return stamp_of(st);
}

Result<void> PosixStorage::sync_filesystem(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, "opening " + quoted(path));
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return errno_error(err, "syncing the file system of " + quoted(path));
  return {};
}

}  // namespace ota::io
