// The file-system seam: every byte ota-* reads from or writes to disk goes through
// Storage, so tests can substitute an in-memory or fault-injecting implementation.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::io {

// What publish compares to notice a staged file was rewritten without reading it
// again: any write changes the modification time, a replacement changes the inode.
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// A sink for bytes. write() either consumes all of `data` or fails.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual Result<void> write(ByteView data) = 0;
};

// Collects everything in memory; used for patches, which are small next to images.
class VectorWriter final : public Writer {
 public:
  Result<void> write(ByteView data) override {
    bytes.insert(bytes.end(), data.begin(), data.end());
    return {};
  }
  Bytes bytes;
};

// A whole input file held in memory for random access (bsdiff and zstd prefixes
// need it). Owned by the caller; bytes() stays valid for the object's lifetime.
class InputFile {
 public:
  virtual ~InputFile() = default;
  virtual ByteView bytes() const = 0;
};

// An output being produced. Nothing is visible at the destination until
// write_atomic() renames it there.
class OutputFile : public Writer {
 public:
  virtual Result<void> sync() = 0;   // flush buffers and make the data durable
  virtual Result<void> close() = 0;
  // Flushes and describes the file as written so far; a rename keeps this stamp.
  virtual Result<FileStamp> stamp() = 0;
};

enum class FileMode {
  kPublic,   // 0666 & ~umask: patches, images, metadata
  kPrivate,  // 0600: key material
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Reads a regular file; Errc::not_found when it does not exist.
  virtual Result<std::unique_ptr<InputFile>> open_input(const std::filesystem::path& path) = 0;
  // Creates a new, uniquely named temporary file in the directory of `dest`
  // and returns it with its path in `temp_path`.
  virtual Result<std::unique_ptr<OutputFile>> create_temp(const std::filesystem::path& dest,
                                                          FileMode mode,
                                                          std::filesystem::path& temp_path) = 0;
  virtual Result<void> rename(const std::filesystem::path& from,
                              const std::filesystem::path& to) = 0;
  // rename() unless `to` exists: then nothing changes and the result is false.
  virtual Result<bool> rename_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Makes a completed rename in `dir` durable.
  virtual Result<void> sync_dir(const std::filesystem::path& dir) = 0;
  virtual void remove(const std::filesystem::path& path) noexcept = 0;
  // True when both paths exist and name the same file (so an output would overwrite an input).
  virtual bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) = 0;
  virtual bool is_directory(const std::filesystem::path& path) = 0;
  // The names in a directory (not "." or ".."), sorted; Errc::not_found when absent.
  virtual Result<std::vector<std::string>> list_directory(const std::filesystem::path& dir) = 0;
  // Creates `dir` and its missing parents (mode 0777 & ~umask); succeeds if it exists.
  virtual Result<void> create_directories(const std::filesystem::path& dir) = 0;
  // Size, modification time and inode of a file; Errc::not_found when it does not exist.
  virtual Result<FileStamp> stamp(const std::filesystem::path& path) = 0;
  // True when calls may come from several threads at once.
  virtual bool thread_safe() const { return false; }
  // Makes every completed write and rename on the file system that holds `path`
  // durable (syncfs): one call after a batch of deferred writes replaces two fsyncs
  // per file.
  virtual Result<void> sync_filesystem(const std::filesystem::path& path) = 0;
};

}  // namespace ota::io
