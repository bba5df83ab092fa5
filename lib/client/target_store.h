// ota-fetch's target directory: each verified target is one flat file named
// quote_file_name(path) (a target path never leaves the directory, and a changed target
// replaces the same file); a download in progress lives in the hidden
// ".ota-fetch/partial/" directory and resumes from where it stopped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "client/updater.h"
#include "core/result.h"
#include "io/storage.h"

namespace ota::client {

struct StoredTarget {
  std::filesystem::path file;     // where the verified target is now
  bool downloaded = false;        // false: it was there already with matching hashes
  uint64_t resumed_from = 0;      // bytes of an earlier interrupted download kept
  uint64_t bytes_downloaded = 0;  // bytes received in this run
};

class TargetStore {
 public:
  TargetStore(io::Storage& fs, std::filesystem::path dir) : fs_(fs), dir_(std::move(dir)) {}

  // The file a target is stored in; Errc::unsupported when its quoted name is longer
  // than a file name may be (255 bytes).
  Result<std::filesystem::path> file_for(const std::string& target_path) const;
  // True when that file holds exactly the signed length and every listed hash.
  Result<bool> has(const TargetInfo& target) const;
  // The target, verified, in its file: kept when already there; else downloaded through
  // `updater` (resuming an interrupted download), checked, and renamed into place. A
  // resumed download that fails its hashes is discarded and fetched once more from the
  // start; a bad download never replaces the file.
  Result<StoredTarget> fetch(Updater& updater, const TargetInfo& target);

 private:
  std::filesystem::path partial_for(const TargetInfo& target) const;
  Result<StoredTarget> download(Updater& updater, const TargetInfo& target, const std::filesystem::path& dest,
                                bool resume);
  io::Storage& fs_;
  std::filesystem::path dir_;
};

}  // namespace ota::client
