#pragma once

#include <filesystem>
#include <functional>

#include "io/storage.h"

namespace ota::io {

enum class Durability {
  kNow,       // fsync the file before the rename and the directory after it
  kDeferred,  // neither: the caller calls Storage::sync_filesystem before anything
              // that refers to `dest` is written (a batch of content-addressed files)
};

// Writes `dest` so that readers never see a partial file: a temporary file beside
// `dest` receives everything `produce` writes, is synced, then renamed over `dest`,
// and the directory is synced. If `produce` or any step fails, the temporary file
// is removed, `dest` is left as it was, and the first error is returned.
Result<void> write_atomic(Storage& fs, const std::filesystem::path& dest, FileMode mode,
                          const std::function<Result<void>(Writer&)>& produce,
                          Durability durability = Durability::kNow);

}  // namespace ota::io
