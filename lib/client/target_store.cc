#include "client/target_store.h"

#include "client/names.h"
#include "core/hex.h"
#include "crypto/sha256.h"

namespace ota::client {
namespace {
namespace fs = std::filesystem;

constexpr size_t kMaxFileName = 255;

Result<Bytes> read_file(io::Storage& fs, const fs::path& path) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  return Bytes((*in)->bytes().begin(), (*in)->bytes().end());
}

}  // namespace

Result<fs::path> TargetStore::file_for(const std::string& target_path) const {
  const std::string name = quote_file_name(target_path);
  if (name.size() > kMaxFileName)
    return Error{Errc::unsupported, "target path '" + target_path.substr(0, 64) + "...' is " + std::to_string(name.size()) +
                                        " bytes as a file name, more than " + std::to_string(kMaxFileName)};
  return dir_ / name;
}

// One partial file per (path, content): a target that changed meanwhile never resumes
// from the old content's prefix.
fs::path TargetStore::partial_for(const TargetInfo& target) const {
  std::string key = target.path;
  for (const auto& [alg, hex] : target.file.hashes) key += '\n' + alg + ':' + hex;
  const auto h = crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  return dir_ / ".ota-fetch" / "partial" / to_hex(ByteView(h.data(), h.size()));
}

Result<bool> TargetStore::has(const TargetInfo& target) const {
  auto file = file_for(target.path);
  if (!file) return std::move(file).error();
  auto in = fs_.open_input(*file);
  if (!in) {
    if (in.error().code == Errc::not_found) return false;
    return std::move(in).error();
  }
  return bool(check_length_and_hashes((*in)->bytes(), target.file.length, target.file.hashes, "target"));
}

Result<StoredTarget> TargetStore::fetch(Updater& updater, const TargetInfo& target) {
  auto dest = file_for(target.path);
  if (!dest) return std::move(dest).error();
  auto present = has(target);
  if (!present) return std::move(present).error();
  if (*present) return StoredTarget{*dest, false, 0, 0};
  OTA_TRY(fs_.create_directories(partial_for(target).parent_path()));
  return download(updater, target, *dest, true);
}

Result<StoredTarget> TargetStore::download(Updater& updater, const TargetInfo& target, const fs::path& dest, bool resume) {
  const fs::path partial = partial_for(target);
  Bytes kept;
  if (resume) {
    if (auto old = read_file(fs_, partial); old && old->size() <= target.file.length) kept = std::move(*old);
  }
  if (!resume || kept.empty()) fs_.remove(partial);

  // Everything goes to a temporary file beside the partial one; on a failure it becomes
  // the partial file (the progress is kept), on success it is checked and renamed.
  fs::path temp;
  auto out = fs_.create_temp(partial, io::FileMode::kPublic, temp);
  if (!out) return std::move(out).error().with_context("target directory");
  StoredTarget result{dest, true, kept.size(), 0};
  auto written = (*out)->write(kept);
  Result<void> streamed = written ? updater.stream_target(target, kept.size(), [&](ByteView chunk) -> Result<void> {
    result.bytes_downloaded += chunk.size();
    return (*out)->write(chunk);
  })
                                  : written;
  auto synced = (*out)->sync();
  auto closed = (*out)->close();
  if (!streamed) {
    // The bytes so far become the partial file, unless they were refused outright.
    if (synced && closed && streamed.error().code != Errc::rejected)
      (void)fs_.rename(temp, partial);
    else
      fs_.remove(temp);
    return std::move(streamed).error();
  }
  if (!synced || !closed) {
    fs_.remove(temp);
    return !synced ? std::move(synced).error() : std::move(closed).error();
  }
  // Checked through the read-only view of the file: a large target is not copied again.
  auto written_file = fs_.open_input(temp);
  if (!written_file) {
    fs_.remove(temp);
    return std::move(written_file).error();
  }
  auto checked = check_length_and_hashes((*written_file)->bytes(), target.file.length, target.file.hashes,
                                         "target '" + target.path + "'");
  written_file->reset();
  if (!checked) {
    fs_.remove(temp);
    fs_.remove(partial);
    // Kept bytes that do not add up to the signed hashes: once more from nothing.
    if (result.resumed_from > 0 && checked.error().code == Errc::rejected) return download(updater, target, dest, false);
    return std::move(checked).error();
  }
  if (auto ok = fs_.rename(temp, dest); !ok) {
    fs_.remove(temp);
    return std::move(ok).error();
  }
  fs_.remove(partial);
  OTA_TRY(fs_.sync_dir(dest.parent_path()));
  return result;
}

}  // namespace ota::client
