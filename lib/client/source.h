// The seam between the TUF client and the network (issue 9 §3: the "transport"): the
// workflow asks for metadata files and target files by name, and a Source fetches them
// from a directory, over HTTP (http_source.h), or through a faulty link
// (faulty_source.h). The device agent, ota-manifest verify and ota-fetch share it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "io/storage.h"

namespace ota::client {

// Receives the bytes of a streamed download as they arrive; an error stops the transfer.
using ByteSink = std::function<Result<void>(ByteView)>;

class Source {
 public:
  virtual ~Source() = default;
  // "timestamp.json", "3.snapshot.json", ...: Errc::not_found when the repository has
  // none; never more than max_bytes (Errc::too_large).
  virtual Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) = 0;
  // A target file by its path on the repository ("fw/<sha256>.fw.bin").
  virtual Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) = 0;
  // `length` bytes of a target file from `offset` (an HTTP range request): fewer only
  // when the file ends first; Errc::invalid_argument when `offset` is past its end. What
  // a device uses to resume an interrupted download instead of starting over.
  virtual Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) = 0;
  // Streams a target file from `offset` to its end into `sink`, at most `max_bytes`
  // (Errc::too_large past that). Bytes handed to the sink before a failure stay valid,
  // so an interrupted download resumes from where it stopped. The default reads with
  // fetch_target_range and hands over the answer in one piece.
  virtual Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes, const ByteSink& sink);
};

// A repository laid out as ota-manifest writes it: DIR/metadata/, DIR/targets/.
class DirectorySource final : public Source {
 public:
  DirectorySource(io::Storage& fs, std::filesystem::path repo) : fs_(fs), repo_(repo), targets_repo_(std::move(repo)) {}
  // Uptane: a director's metadata, with the images fetched from the image repository.
  DirectorySource(io::Storage& fs, std::filesystem::path repo, std::filesystem::path targets_repo)
      : fs_(fs), repo_(std::move(repo)), targets_repo_(std::move(targets_repo)) {}
  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;

 private:
  Result<Bytes> fetch(const std::filesystem::path& path, size_t max_bytes);
  io::Storage& fs_;
  std::filesystem::path repo_, targets_repo_;
};

}  // namespace ota::client
