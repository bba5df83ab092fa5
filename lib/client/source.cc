#include "client/source.h"

#include <algorithm>
#include <limits>

#include "metadata/metadata.h"

namespace ota::client {
namespace {
namespace fs = std::filesystem;
std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

Result<void> Source::stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes, const ByteSink& sink) {
  // One byte more than allowed tells "exactly at the limit" from "past it".
  const uint64_t ask = std::min<uint64_t>(max_bytes, std::numeric_limits<size_t>::max() - 1) + 1;
  auto bytes = fetch_target_range(path, offset, size_t(ask));
  if (!bytes) return std::move(bytes).error();
  if (bytes->size() > max_bytes) {
    OTA_TRY(sink(ByteView(bytes->data(), size_t(max_bytes))));
    return Error{Errc::too_large, "'" + path + "' is longer than the " + num(max_bytes) + " bytes allowed"};
  }
  return sink(*bytes);
}

Result<Bytes> DirectorySource::fetch(const fs::path& path, size_t max_bytes) {
  auto file = fs_.open_input(path);
  if (!file) return std::move(file).error();
  ByteView b = (*file)->bytes();
  if (b.size() > max_bytes)
    return Error{Errc::too_large, "'" + path.string() + "' is larger than the " + num(max_bytes) + " bytes allowed"};
  return Bytes(b.begin(), b.end());
}

Result<Bytes> DirectorySource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  if (!metadata::check_target_path(path)) return Error{Errc::not_found, "no target file can be named '" + path + "' in a directory"};
  const fs::path file_path = targets_repo_ / "targets" / path;
  auto file = fs_.open_input(file_path);
  if (!file) return std::move(file).error();
  ByteView b = (*file)->bytes();
  if (offset > b.size())
    return Error{Errc::invalid_argument, "offset " + num(offset) + " is past the end of '" + file_path.string() + "'"};
  const size_t n = size_t(std::min<uint64_t>(length, b.size() - offset));
  return Bytes(b.begin() + long(offset), b.begin() + long(offset + n));
}

Result<Bytes> DirectorySource::fetch_metadata(const std::string& name, size_t max_bytes) {
  // A role name from metadata must not reach outside the metadata directory.
  if (name.empty() || name == "." || name == ".." || name.find_first_of(std::string("/\0", 2)) != std::string::npos)
    return Error{Errc::not_found, "no metadata file can be named '" + name + "' in a directory"};
  return fetch(repo_ / "metadata" / name, max_bytes);
}

Result<Bytes> DirectorySource::fetch_target(const std::string& path, size_t max_bytes) {
  if (!metadata::check_target_path(path)) return Error{Errc::not_found, "no target file can be named '" + path + "' in a directory"};
  return fetch(targets_repo_ / "targets" / path, max_bytes);
}

}  // namespace ota::client
