// In-memory Storage for tests, with a fault switch: fail the Nth write, or make the
// disk "full" after a byte budget, to prove write_atomic leaves nothing behind.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "io/storage.h"

namespace ota::testing {

class MemStorage final : public io::Storage {
 public:
  std::map<std::string, Bytes> files;
  std::optional<uint64_t> fail_after_bytes;  // writes beyond this many bytes fail: no_space
  bool fail_rename = false;
  std::optional<int> cut_after_renames;  // power cut: renames beyond this count fail
  int renames = 0, dir_syncs = 0, fs_syncs = 0;

  Result<std::unique_ptr<io::InputFile>> open_input(const std::filesystem::path& path) override {
    auto it = files.find(path.string());
    if (it == files.end()) return Error{Errc::not_found, "'" + path.string() + "' does not exist"};
    return std::unique_ptr<io::InputFile>(new Input(it->second));
  }
  Result<std::unique_ptr<io::OutputFile>> create_temp(const std::filesystem::path& dest,
                                                      io::FileMode,
                                                      std::filesystem::path& temp) override {
    temp = dest.parent_path() / ("." + dest.filename().string() + ".tmp-" + std::to_string(next_++));
    files[temp.string()];
    return std::unique_ptr<io::OutputFile>(new Output(*this, temp.string()));
  }
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (fail_rename) return Error{Errc::io, "rename refused"};
    if (cut_after_renames && renames >= *cut_after_renames) return Error{Errc::power_cut, "power cut"};
    auto node = files.extract(from.string());
    if (node.empty()) return Error{Errc::not_found, "no such file"};
    node.key() = to.string();
    files.insert_or_assign(to.string(), std::move(node.mapped()));
    ++renames;
    return {};
  }
  Result<bool> rename_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (files.count(to.string())) return false;
    OTA_TRY(rename(from, to));
    return true;
  }
  Result<void> sync_dir(const std::filesystem::path&) override {
    ++dir_syncs;
    return {};
  }
  void remove(const std::filesystem::path& path) noexcept override { files.erase(path.string()); }
  bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) override {
    return a == b && files.count(a.string());
  }
  Result<void> create_directories(const std::filesystem::path&) override { return {}; }
  // The content's FNV-1a hash stands in for the modification time: any edit of
  // `files` (which tests make directly) changes it, as a write changes mtime.
  Result<io::FileStamp> stamp(const std::filesystem::path& path) override {
    auto it = files.find(path.string());
    if (it == files.end()) return Error{Errc::not_found, "'" + path.string() + "' does not exist"};
    return stamp_of(it->second);
  }
  static io::FileStamp stamp_of(const Bytes& content) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint8_t b : content) h = (h ^ b) * 0x100000001b3ULL;
    return io::FileStamp{content.size(), int64_t(h >> 1), 1};
  }
  Result<void> sync_filesystem(const std::filesystem::path&) override {
    ++fs_syncs;
    return {};
  }
  bool is_directory(const std::filesystem::path& path) override {
    const std::string prefix = path.string() + "/";
    for (const auto& [name, bytes] : files)
      if (name.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
  }
  Result<std::vector<std::string>> list_directory(const std::filesystem::path& dir) override {
    const std::string prefix = dir.string() + "/";
    std::set<std::string> names;
    for (const auto& [name, bytes] : files)
      if (name.compare(0, prefix.size(), prefix) == 0)
        names.insert(name.substr(prefix.size(), name.find('/', prefix.size()) - prefix.size()));
    if (names.empty()) return Error{Errc::not_found, "'" + dir.string() + "' does not exist"};
    return std::vector<std::string>(names.begin(), names.end());
  }

 private:
  struct Input final : io::InputFile {
    explicit Input(Bytes b) : bytes_(std::move(b)) {}
    ByteView bytes() const override { return bytes_; }
    Bytes bytes_;
  };
  struct Output final : io::OutputFile {
    Output(MemStorage& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
    Result<void> write(ByteView data) override {
      if (fs_.fail_after_bytes && written_ + data.size() > *fs_.fail_after_bytes)
        return Error{Errc::no_space, "disk full"};
      written_ += data.size();
      auto& f = fs_.files[path_];
      f.insert(f.end(), data.begin(), data.end());
      return {};
    }
    Result<void> sync() override { return {}; }
    Result<io::FileStamp> stamp() override { return MemStorage::stamp_of(fs_.files[path_]); }
    Result<void> close() override { return {}; }
    MemStorage& fs_;
    std::string path_;
    uint64_t written_ = 0;
  };
  int next_ = 0;
};

}  // namespace ota::testing
