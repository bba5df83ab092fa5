#pragma once

#include <atomic>

#include "io/storage.h"

namespace ota::io {

// Storage on the real file system (POSIX calls; no global state).
class PosixStorage final : public Storage {
 public:
  PosixStorage();
  Result<std::unique_ptr<InputFile>> open_input(const std::filesystem::path& path) override;
  Result<std::unique_ptr<OutputFile>> create_temp(const std::filesystem::path& dest, FileMode mode,
                                                  std::filesystem::path& temp_path) override;
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Result<bool> rename_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Result<void> sync_dir(const std::filesystem::path& dir) override;
  void remove(const std::filesystem::path& path) noexcept override;
  bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) override;
  bool is_directory(const std::filesystem::path& path) override;
  Result<std::vector<std::string>> list_directory(const std::filesystem::path& dir) override;
  Result<void> create_directories(const std::filesystem::path& dir) override;
  Result<FileStamp> stamp(const std::filesystem::path& path) override;
  bool thread_safe() const override { return true; }  // no state but an atomic counter
  Result<void> sync_filesystem(const std::filesystem::path& path) override;

 private:
  // Temporary names: one random seed per storage and a counter. O_EXCL catches a
  // clash, so they need only be unlikely to collide, not unpredictable.
  uint64_t temp_seed_;
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace ota::io
