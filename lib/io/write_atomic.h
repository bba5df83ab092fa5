#pragma once

#include <filesystem>
#include <functional>

#include "io/storage.h"

namespace ota::io {

// Writes `dest` so that readers never see a partial file: a temporary file beside
// `dest` receives everything `produce` writes, is synced, then renamed over `dest`,
// and the directory is synced. If `produce` or any step fails, the temporary file
// is removed, `dest` is left as it was, and the first error is returned.
Result<void> write_atomic(Storage& fs, const std::filesystem::path& dest, FileMode mode,
                          const std::function<Result<void>(Writer&)>& produce);

// A new file for a batch (content-addressed targets): `bytes` go through a temporary
// file beside `dest` that is renamed to `dest` only if `dest` does not exist; nothing
// is synced, so the caller calls Storage::sync_filesystem once before anything that
// names the files is written. When `dest` exists it is left as it is and `created` is
// false. On any failure the temporary file is removed.
struct NewFile {
  bool created = false;
  FileStamp stamp;  // of the file written, which `dest` now is; only when created
};
Result<NewFile> write_new(Storage& fs, const std::filesystem::path& dest, FileMode mode, ByteView bytes);

}  // namespace ota::io
