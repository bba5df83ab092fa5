// The TUF client workflow (specification 1.0.x, section 5) as a library: ota-fetch, the
// device agent and `ota-manifest verify` use it. Metadata comes through a Source seam (a
// directory, HTTP, a faulty link); what is trusted is kept in memory and, with a state
// directory, on disk between runs, so rollback and freeze are caught across runs and
// metadata that is still current is not fetched again.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/source.h"
#include "core/bytes.h"
#include "core/result.h"
#include "io/storage.h"
#include "metadata/envelope.h"
#include "metadata/metadata.h"

namespace ota::client {

// Upper bounds on what a repository may make us read: tuf-js's and python-tuf's
// defaults (their config), so both clients stop endless data at the same byte.
struct Limits {
  size_t root_bytes = 512000;
  size_t timestamp_bytes = 16384;
  size_t snapshot_bytes = 2000000;  // when the timestamp does not list its length
  size_t targets_bytes = 5000000;   // the same for targets and delegated roles
  uint32_t max_root_rotations = 256;
  uint32_t max_delegations = 32;  // roles visited per target search
};

struct TargetInfo {
  std::string path;
  metadata::TargetFile file;
  std::string role;  // the role that listed it
};

struct Versions {
  uint64_t root = 0, timestamp = 0, snapshot = 0, targets = 0;
};

// Length and every listed hash: each algorithm must be one we know (an unknown one is
// refused, not skipped) and match. Errc::rejected on a mismatch, unsupported on an
// unknown algorithm. An empty hash map checks the length only.
Result<void> check_length_and_hashes(ByteView bytes, std::optional<uint64_t> length,
                                     const std::map<std::string, std::string>& hashes, const std::string& what);

class Updater {
 public:
  // `state_dir`: where trusted metadata persists (root.json, timestamp.json, ...); when it
  // holds a root.json that root is trusted instead of `initial_root`.
  Updater(Source& source, io::Storage& fs, std::optional<std::filesystem::path> state_dir, metadata::Time now,
          Limits limits = {});

  // Trusts this root (the device's anchor) unless the state directory has one already.
  Result<void> start(ByteView initial_root);
  // Root rotations, then timestamp, snapshot and top-level targets; every check of
  // the specification; the state is updated step by step, never with unverified data.
  Result<void> refresh();
  // Pre-order search of the delegation graph for `path`; Errc::not_found if no role lists it.
  Result<TargetInfo> find_target(const std::string& path);
  // Downloads and checks length and every hash; Errc::rejected on a mismatch.
  Result<Bytes> download_target(const TargetInfo& target);
  // Part of a target, unchecked (the caller checks it against signed per-chunk hashes):
  // `length` bytes from `offset`, fewer only at the end of the file. Errc::rejected when
  // the range passes the target's signed length.
  Result<Bytes> download_target_range(const TargetInfo& target, uint64_t offset, size_t length);
  // Streams a target from `offset` into `sink`, never past its signed length (more is
  // Errc::rejected); unchecked: the caller hashes the whole file (TargetStore does).
  Result<void> stream_target(const TargetInfo& target, uint64_t offset, const ByteSink& sink);
  // Where the repository keeps a target: "dir/HASH.name" under consistent snapshots
  // (sha256 when listed, else the first listed hash), else its path.
  Result<std::string> remote_path(const TargetInfo& target) const;

  Versions versions() const;
  // The verified top-level targets metadata after refresh() (null before): its role-level
  // custom carries an Uptane director's vehicle id.
  const metadata::Targets* top_targets() const;

 private:
  // A role's verified metadata with the bytes it came from, so a later use through
  // another delegator verifies the signatures again (never trusted by name alone).
  struct LoadedTargets {
    metadata::Targets targets;
    metadata::Envelope envelope;
    std::set<std::string> verified_by;  // delegators whose keys this copy met
  };
  Result<void> update_root();
  void drop_unverifiable_stored();
  Result<void> update_timestamp();
  Result<void> update_snapshot();
  // The verified metadata of `role` as delegated by `delegator` with `keys`/`role_keys`:
  // from memory, else the stored copy when still current, else the repository.
  Result<const metadata::Targets*> update_targets(const std::string& role, const std::string& delegator,
                                                  const std::map<std::string, metadata::Key>& keys,
                                                  const metadata::RoleKeys& role_keys);
  // A copy of `role` that passes every check against the snapshot and the delegator.
  Result<LoadedTargets> check_targets(const std::string& role, const std::string& name, const Bytes& bytes,
                                      const metadata::MetaFile& meta, const std::map<std::string, metadata::Key>& keys,
                                      const metadata::RoleKeys& role_keys);
  Result<void> persist(const std::string& file, ByteView bytes);
  void unpersist(const std::string& file);
  Result<std::optional<Bytes>> load_persisted(const std::string& file);

  Source& source_;
  io::Storage& fs_;
  std::optional<std::filesystem::path> state_dir_;
  metadata::Time now_;
  Limits limits_;
  std::optional<metadata::Root> root_;
  // The trusted timestamp and snapshot with their envelopes (re-verified after a root
  // rotation) and the snapshot's bytes (a stored copy is reused when the timestamp's
  // hashes still name it).
  std::optional<metadata::Timestamp> timestamp_;
  std::optional<metadata::Envelope> timestamp_envelope_;
  std::optional<metadata::Snapshot> snapshot_;
  std::optional<metadata::Envelope> snapshot_envelope_;
  Bytes snapshot_bytes_;
  bool snapshot_final_ = false;  // snapshot_ is the one the current timestamp names
  std::map<std::string, LoadedTargets> targets_;  // role name -> verified targets
};

}  // namespace ota::client
