#include "io/write_atomic.h"

#include <new>
#include <system_error>

namespace ota::io {

Result<void> write_atomic(Storage& fs, const std::filesystem::path& dest, FileMode mode,
                          const std::function<Result<void>(Writer&)>& produce,
                          Durability durability) {
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
    if (durability == Durability::kNow) OTA_TRY((*out)->sync());
    OTA_TRY((*out)->close());
    return fs.rename(temp, dest);
  };
  if (auto done = finish(); !done) {
    (void)(*out)->close();  // best effort, idempotent; the error that matters is the first one
    fs.remove(temp);
    return done;
  }
  if (durability == Durability::kDeferred) return {};
  auto dir = dest.parent_path();
  return fs.sync_dir(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace ota::io
