#include "io/write_atomic.h"

#include <new>
#include <system_error>

namespace ota::io {

Result<void> write_atomic(Storage& fs, const std::filesystem::path& dest, FileMode mode,
                          const std::function<Result<void>(Writer&)>& produce) {
  std::filesystem::path temp;
  auto out = fs.create_temp(dest, mode, temp);
  if (!out) return std::move(out).error();

  auto finish = [&]() -> Result<void> {
    try {
      OTA_TRY(produce(**out));
    } catch (const std::bad_alloc&) {
      return Error{Errc::io, "out of memory while writing '" + dest.string() + "'"};
    } catch (const std::system_error& e) {  // a thread could not be started
      return Error{Errc::io, "writing '" + dest.string() + "': " + e.what()};
    }
    OTA_TRY((*out)->sync());
    OTA_TRY((*out)->close());
    return fs.rename(temp, dest);
  };
  if (auto done = finish(); !done) {
    (void)(*out)->close();  // best effort, idempotent; the error that matters is the first one
    fs.remove(temp);
    return done;
  }
  auto dir = dest.parent_path();
  return fs.sync_dir(dir.empty() ? std::filesystem::path(".") : dir);
}

Result<NewFile> write_new(Storage& fs, const std::filesystem::path& dest, FileMode mode, ByteView bytes) {
  std::filesystem::path temp;
  auto out = fs.create_temp(dest, mode, temp);
  if (!out) return std::move(out).error();
  auto place = [&]() -> Result<NewFile> {
    OTA_TRY((*out)->write(bytes));
    auto stamp = (*out)->stamp();  // a rename keeps size, mtime and inode
    if (!stamp) return std::move(stamp).error();
    OTA_TRY((*out)->close());
    auto placed = fs.rename_if_absent(temp, dest);
    if (!placed) return std::move(placed).error();
    return NewFile{*placed, *stamp};
  };
  auto done = place();
  if (!done || !done->created) {
    (void)(*out)->close();  // idempotent
    fs.remove(temp);
  }
  return done;
}

}  // namespace ota::io
