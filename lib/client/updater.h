// The TUF client workflow (specification 1.0.x, section 5) as a library: the device
// agent and `ota-manifest verify` use it. Metadata comes through a Source seam (a
// directory here, HTTP in ota-fetch); what is trusted is kept in memory and, with a
// state directory, on disk between runs, so rollback and freeze are caught across runs.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "client/source.h"
#include "io/storage.h"
#include "metadata/envelope.h"
#include "metadata/metadata.h"

namespace ota::client {

// Upper bounds on what a repository may make us read (tuf-js's defaults).
struct Limits {
  size_t root_bytes = 512 * 1024;
  size_t timestamp_bytes = 16 * 1024;
  size_t snapshot_bytes = 2 * 1024 * 1024;
  size_t targets_bytes = 5 * 1024 * 1024;
  uint32_t max_root_rotations = 32;
  uint32_t max_delegations = 32;
};

struct TargetInfo {
  std::string path;
  metadata::TargetFile file;
  std::string role;  // the role that listed it
};

struct Versions {
  uint64_t root = 0, timestamp = 0, snapshot = 0, targets = 0;
};

class Updater {
 public:
  // `state_dir`: where trusted metadata persists (root.json, timestamp.json, ...); when it
  // holds a root.json that root is trusted instead of `initial_root`.
  Updater(Source& source, io::Storage& fs, std::optional<std::filesystem::path> state_dir, metadata::Time now,
          Limits limits = {});

  // Trusts this root (the device's anchor) unless the state directory has a newer one.
  Result<void> start(ByteView initial_root);
  // Root rotations, then timestamp, snapshot and top-level targets; every check of
  // the specification; the state is updated step by step, never with unverified data.
  Result<void> refresh();
  // Pre-order search of the delegation graph for `path`; Errc::not_found if no role lists it.
  Result<TargetInfo> find_target(const std::string& path);
  // Downloads and checks length and every known hash; Errc::rejected on a mismatch.
  Result<Bytes> download_target(const TargetInfo& target);
  // Part of a target, unchecked (the caller checks it against signed per-chunk hashes):
  // `length` bytes from `offset`, fewer only at the end of the file. Errc::rejected when
  // the range passes the target's signed length.
  Result<Bytes> download_target_range(const TargetInfo& target, uint64_t offset, size_t length);

  Versions versions() const;
  // The verified top-level targets metadata after refresh() (null before): its role-level
  // custom carries an Uptane director's vehicle id.
  const metadata::Targets* top_targets() const;

 private:
  Result<void> update_root();
  Result<void> update_timestamp();
  Result<void> update_snapshot();
  // The verified metadata of `role`, cached for this refresh (a pointer into targets_:
  // a target search must not copy every role's map per lookup).
  Result<const metadata::Targets*> update_targets(const std::string& role, const std::map<std::string, metadata::Key>& keys,
                                           const metadata::RoleKeys& role_keys);
  Result<std::string> remote_path(const TargetInfo& target) const;
  Result<void> persist(const std::string& name, ByteView bytes);
  Result<std::optional<Bytes>> load_persisted(const std::string& name);

  Source& source_;
  io::Storage& fs_;
  std::optional<std::filesystem::path> state_dir_;
  metadata::Time now_;
  Limits limits_;
  std::optional<metadata::Root> root_;
  std::optional<metadata::Timestamp> timestamp_;
  std::optional<metadata::Snapshot> snapshot_;
  std::map<std::string, metadata::Targets> targets_;  // role name -> verified targets
};

}  // namespace ota::client
