// An in-memory TUF repository for client tests, modelled on tuf-conformance's
// RepositorySimulator (tuf_conformance/_internal/repository_simulator.py): the current
// "signed" JSON of every role, edited as raw nlohmann::json (so a test can publish what
// our producer would refuse: role names with '/', a key id listed twice, a wrong _type,
// a version other than the one in the URL), signed with in-memory ed25519 keys, and every
// published version kept for MemRepoSource to serve under the suite's URL grammar.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "client/source.h"
#include "fakes/fake_signer.h"
#include "metadata/metadata.h"

namespace ota::testing {

// A signing key and what root or a delegator lists for it.
struct SimKey {
  std::shared_ptr<FakeSigner> signer;
  std::string id;
  nlohmann::json object;  // {"keytype", "scheme", "keyval"}
};
SimKey make_sim_key();

// A delegation as add_delegation() writes it into the delegator's "delegations".
struct SimDelegation {
  std::vector<std::string> paths = {"*"};      // used when path_hash_prefixes is empty
  std::vector<std::string> path_hash_prefixes;  // non-empty: written instead of "paths"
  bool terminating = false;
  uint32_t threshold = 1;
  // Keys the delegator lists for the role; empty: the role's signers (one new key when
  // it has none yet). Given keys do not change who signs the role.
  std::vector<SimKey> keys;
};

class RepoSim {
 public:
  // Root, timestamp, snapshot and targets at version 1, each with one key, expiring
  // 30 days after `now`, consistent snapshots on, published.
  explicit RepoSim(metadata::Time now);

  metadata::Time now;
  // Snapshot meta and timestamp meta carry "length" and "hashes" too (the suite's
  // compute_metafile_hashes_length; off by default as there).
  bool with_hashes_and_length = false;

  std::map<std::string, nlohmann::json> mds;              // role -> current "signed"
  std::map<std::string, std::vector<SimKey>> signers;     // role -> keys that sign it
  // role -> URL version -> bytes; `current` is what a version-less URL serves.
  std::map<std::string, std::map<uint64_t, std::string>> published;
  std::map<std::string, std::string> current;
  struct Artifact {
    std::string bytes;
    std::map<std::string, std::string> hashes;  // the names the server answers to
  };
  std::map<std::string, Artifact> artifacts;  // target path -> file

  // Bumps (unless `bump` is false), signs with the role's signers and publishes each role
  // in order; a targets role updates the snapshot meta, the snapshot the timestamp meta,
  // so the usual order is {delegated..., "targets", "snapshot", "timestamp"}.
  void publish(const std::vector<std::string>& roles, bool bump = true);
  // Signs `role` as it is and serves it under URL version `url_version` (the parent's
  // meta names `url_version`): metadata whose version differs from its URL.
  void publish_as(const std::string& role, uint64_t url_version);
  // The signed file of `signed_` by `keys` (the role's signers by default), unpublished.
  std::string sign(const nlohmann::json& signed_, const std::vector<SimKey>& keys) const;
  std::string sign(const std::string& role) const { return sign(mds.at(role), signers.at(role)); }

  uint64_t version(const std::string& role) const { return mds.at(role)["version"].get<uint64_t>(); }
  void set_version(const std::string& role, uint64_t v) { mds[role]["version"] = v; }
  void set_expires(const std::string& role, metadata::Time t);
  bool consistent_snapshot() const { return mds.at("root")["consistent_snapshot"].get<bool>(); }
  void set_consistent_snapshot(bool on) { mds["root"]["consistent_snapshot"] = on; }

  // Top-level roles (keys in root): `keys` become the role's key ids with `threshold`;
  // the root's "keys" keeps exactly the keys some role lists. Signers are unchanged.
  void set_role_keys(const std::string& role, const std::vector<SimKey>& keys, uint32_t threshold);
  // Adds a new key to a top-level role's key ids and to its signers.
  SimKey add_key(const std::string& role);
  // Replaces a top-level role's keys with `threshold` new ones (root must be published).
  void rotate_keys(const std::string& role);

  // `role` (a targets role, created unpublished at version 0 so that publish makes it 1)
  // delegated by `delegator`, appended to its delegations.
  void add_delegation(const std::string& delegator, const std::string& role, SimDelegation d = {});
  // TAP 15 bins NAME_PREFIX-HEX delegated by `delegator`, all signed by one new key;
  // returns the bin names (created unpublished at version 0).
  std::vector<std::string> add_succinct_roles(const std::string& delegator, uint32_t bit_length,
                                              const std::string& name_prefix);
  // Lists `path` in `role` with its length and one hash per algorithm ("sha256",
  // "sha512", ...) and serves `bytes` for it. The role must be published afterwards.
  void add_target(const std::string& role, const std::string& path, const std::string& bytes,
                  const std::vector<std::string>& algorithms = {"sha256"});

 private:
  void publish_one(const std::string& role, uint64_t url_version, const std::string& bytes);
};

// Serves a RepoSim as the suite's server does and records what was asked, like the
// suite's metadata_statistics: (role, version or nullopt) per metadata request, the
// role being the name as received ("/delegatedrole" for "1./delegatedrole.json").
class MemRepoSource final : public client::Source {
 public:
  explicit MemRepoSource(RepoSim& sim) : sim_(sim) {}

  using Request = std::pair<std::string, std::optional<uint64_t>>;
  std::vector<Request> requests;
  std::vector<std::string> names;                 // metadata file names as asked
  std::map<std::string, size_t> max_bytes;        // metadata file name -> last limit asked
  std::vector<std::string> target_requests;       // target paths as asked

  // Faults by requested name ("timestamp.json", "2.snapshot.json", "dir/HASH.name").
  std::map<std::string, Error> fail;              // answer with this error (404: not_found)
  std::map<std::string, std::string> substitute;  // answer with these bytes instead
  std::set<std::string> endless;                  // a body that never ends: too_large

  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;

 private:
  Result<std::string> target_bytes(const std::string& path);
  RepoSim& sim_;
};

// What the suite's ClientRunner.trusted_roles() reports: every "*.json" file in `dir`,
// sorted by name, as (name without ".json", signed.version); version 0 when unreadable.
std::vector<std::pair<std::string, uint64_t>> trusted_roles(const std::filesystem::path& dir);

}  // namespace ota::testing
