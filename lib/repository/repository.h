// The TUF image repository on disk (docs/repository.md): init from a config, stage
// targets, publish targets -> snapshot -> timestamp bottom-up, renew the timestamp.
//   <repo>/ota-repo.json          role keys, thresholds, expiry periods (not served)
//   <repo>/staged-targets.json    the targets of the next publish (not served)
//   <repo>/metadata/N.root.json, N.targets.json, N.snapshot.json, timestamp.json
//   <repo>/targets/[dir/]<sha256>.<basename>
// Versions are read from the published metadata itself, so a crash between two writes
// never desynchronises a separate state file.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/storage.h"
#include "metadata/metadata.h"
#include "signer/signer.h"

namespace ota::repository {

struct RoleConfig {
  std::vector<std::string> keys;  // key references (pkcs11: or file:)
  uint32_t threshold = 1;
  uint32_t expires_days = 1;
};

// A targets role the top-level targets role delegates to (an Uptane supplier).
struct DelegationConfig {
  std::string name;
  RoleConfig keys;
  std::vector<std::string> paths;  // glob patterns; '*' does not cross '/'
  bool terminating = false;
};

// repo.yaml: roles root, targets, snapshot, timestamp (schemas/repo-config.schema.json).
// Delegations are added by `delegate` and kept in the repository's ota-repo.json.
struct Config {
  std::map<std::string, RoleConfig> roles;
  std::vector<DelegationConfig> delegations;
  bool director = false;  // an Uptane director: targets name images of the image repository
  std::string vehicle;    // a director's vehicle (VIN): signed into its targets as custom.vehicle
};

// Parses repo.yaml; relative file: key paths resolve against `base_dir`. Unknown
// fields, missing roles, a pin-value in a URI, thresholds out of range are errors.
Result<Config> parse_config(const std::string& yaml_text, const std::filesystem::path& base_dir);

// How the repository reaches keys and time; tools fill it (PIN prompts, audit log).
struct Context {
  io::Storage& fs;
  metadata::Time now;
  std::function<Result<std::unique_ptr<signer::Signer>>(const std::string& ref, const std::string& role)> open_signer;
  std::function<Result<crypto::PublicKey>(const std::string& ref)> open_public_key;
  // Threads that read, hash and copy targets in add (used when the storage is thread-safe).
  unsigned jobs = 1;
};

struct RoleVersions {
  uint64_t root = 0, targets = 0, snapshot = 0, timestamp = 0;
  metadata::Time timestamp_expires = 0;
};

struct InitReport {
  RoleVersions versions;
  std::map<std::string, std::vector<std::string>> key_ids;  // role -> key ids
};
Result<InitReport> init(Context& ctx, const Config& config, const std::filesystem::path& repo);

struct DeltaInput {
  std::string from_version;
  std::filesystem::path patch;
};

struct AddRequest {
  std::filesystem::path file;
  std::string name;  // target path, e.g. "tcu/firmware-2.4.0.bin"
  std::string version;
  std::vector<std::string> hardware_ids;
  std::vector<DeltaInput> deltas;
  std::string priority = "bugfix";  // security | bugfix | feature
  uint64_t chunk_size = 1 << 20;
  std::string role = "targets";     // or a delegated role whose paths match `name`
  uint64_t release_counter = 0;     // Uptane: an ECU never installs a lower one
};

struct AddedTarget {
  std::string name;
  uint64_t length = 0;
  std::string sha256;
};
struct AddReport {
  std::vector<AddedTarget> targets;  // the image first, then one per delta
};
Result<AddReport> add_target(Context& ctx, const std::filesystem::path& repo, const AddRequest& request);
// Many at once (a release, a benchmark): the staging file is rewritten once.
Result<AddReport> add_targets(Context& ctx, const std::filesystem::path& repo, const std::vector<AddRequest>& requests);

struct PublishReport {
  RoleVersions versions;
  size_t targets = 0;
  std::vector<std::string> warnings;  // e.g. metadata above 75 % of a client size limit
};

// Client size limits (tuf-js's, which devices share): publishing beyond one is refused,
// beyond 75 % of one is a warning.
inline constexpr size_t kTimestampLimit = 16384, kSnapshotLimit = 2000000, kTargetsLimit = 5000000;
// Signs the staged targets, a snapshot and a timestamp; each file appears by rename,
// the timestamp last, so a failure leaves the previously published repository valid.
Result<PublishReport> publish(Context& ctx, const std::filesystem::path& repo);
// A new timestamp over the current snapshot: the online role's routine job.
Result<PublishReport> renew_timestamp(Context& ctx, const std::filesystem::path& repo);

// Adds (or replaces) a delegation from the top-level targets role; published with the
// next `publish`, which signs the delegated role's metadata with its keys.
Result<void> delegate(Context& ctx, const std::filesystem::path& repo, const DelegationConfig& delegation);

struct RotateReport {
  uint64_t new_version = 0;
  std::map<std::string, std::vector<std::string>> added, removed;  // role -> key ids
  bool timestamp_or_snapshot_keys_changed = false;
};
// Root N+1 with the keys and thresholds of `next` (any role may change: key added,
// removed or revoked, threshold or algorithm changed), signed by a threshold of root
// N's root keys and a threshold of its own. Then the repository uses `next`. With
// `dry_run` nothing is signed or written: the report says what would change.
Result<RotateReport> rotate_root(Context& ctx, const std::filesystem::path& repo, const Config& next, bool dry_run);

struct RoleExpiry {
  std::string role;  // "root", "targets", "snapshot", "timestamp", delegated role names
  uint64_t version = 0;
  metadata::Time expires = 0;
};
// What the repository publishes now and when each role's metadata expires: the CI
// check that warns before devices would refuse the repository (freeze protection).
Result<std::vector<RoleExpiry>> expiry_report(io::Storage& fs, const std::filesystem::path& repo);

// The versions the repository currently publishes.
Result<RoleVersions> published_versions(io::Storage& fs, const std::filesystem::path& repo);

}  // namespace ota::repository
