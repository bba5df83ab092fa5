// TUF 1.0 metadata (root, targets, snapshot, timestamp) as typed values: strict
// parsing of what a repository serves, canonical serialisation of what we sign.
// Shared by the producer (repository/) and the verifier (client/).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/keys.h"

namespace ota::metadata {

inline constexpr char kSpecVersion[] = "1.0.31";
inline const std::vector<std::string> kTopLevelRoles = {"root", "targets", "snapshot", "timestamp"};

// Seconds since the Unix epoch, UTC. TUF writes "YYYY-MM-DDTHH:MM:SSZ" exactly.
using Time = int64_t;
std::string format_time(Time t);
Result<Time> parse_time(const std::string& text);

struct RoleKeys {
  std::vector<std::string> keyids;
  uint32_t threshold = 1;
};

struct Key {
  nlohmann::json object;                        // {"keytype", "scheme", "keyval"} as written, extra fields kept
  std::optional<crypto::PublicKey> public_key;  // unset: a key type we cannot verify with
};

struct Root {
  uint64_t version = 1;
  Time expires = 0;
  bool consistent_snapshot = true;  // what we write; a root without the field reads as false
  std::map<std::string, Key> keys;        // key id -> key
  std::map<std::string, RoleKeys> roles;  // the four top-level roles
};

struct MetaFile {
  uint64_t version = 1;
  std::optional<uint64_t> length;
  std::map<std::string, std::string> hashes;  // algorithm -> hex
};

struct TargetFile {
  uint64_t length = 0;
  std::map<std::string, std::string> hashes;  // "sha256" -> hex, "sha512" -> hex
  std::optional<nlohmann::json> custom;
};

struct DelegatedRole {
  std::string name;
  RoleKeys keys;
  std::vector<std::string> paths;              // glob patterns ("fw/ecu-a/*")
  std::vector<std::string> path_hash_prefixes; // alternative to paths
  bool terminating = false;
};

// TAP 15 hash-bin delegation ("succinct_roles"): 2^bit_length bins named
// NAME_PREFIX-HEX, a target path goes to the bin numbered by the first bit_length bits
// of SHA-256(path); every bin is signed by the same keys and the delegation terminates.
struct SuccinctRoles {
  RoleKeys keys;
  uint32_t bit_length = 1;  // 1..32
  std::string name_prefix;
  // "bin-fc" for "bar" with bit_length 8 and prefix "bin": hex zero-padded to the
  // width of 2^bit_length - 1.
  std::string bin_for(const std::string& target_path) const;
  // True when `role` is one of the bin names (NAME_PREFIX-HEX, right width, in range).
  bool is_bin(const std::string& role) const;
};

struct Delegations {
  std::map<std::string, Key> keys;
  std::vector<DelegatedRole> roles;      // in search order; never a top-level role's name
  std::optional<SuccinctRoles> succinct; // exclusive with `roles` (then `roles` is empty)
};

struct Targets {
  uint64_t version = 1;
  Time expires = 0;
  std::map<std::string, TargetFile> targets;
  std::optional<Delegations> delegations;
  // Fields of our own beside the specification's (TUF allows them; they are signed):
  // an Uptane director's {"vehicle": VIN}, present even when there are no targets.
  std::optional<nlohmann::json> custom;
};

struct Snapshot {
  uint64_t version = 1;
  Time expires = 0;
  std::map<std::string, MetaFile> meta;  // "targets.json", "<delegated>.json"
};

struct Timestamp {
  uint64_t version = 1;
  Time expires = 0;
  MetaFile snapshot;  // meta["snapshot.json"]
};

// The "signed" objects as JSON (the bytes signed are json::canonical of these).
nlohmann::json to_json(const Root& root);
nlohmann::json to_json(const Targets& targets);
nlohmann::json to_json(Targets&& targets);  // moves each target's custom object
nlohmann::json to_json(const Snapshot& snapshot);
nlohmann::json to_json(const Timestamp& timestamp);

// Strict readers: every required field with its type, `_type` and `spec_version`
// checked (major version 1), no key id listed twice inside one role, threshold >= 1.
// Unknown fields are ignored (TUF allows them; they stay in the signed JSON). Delegated
// role names are not checked with check_role_name: any name parses except the four
// top-level ones, and whoever turns one into a URL or file name must quote it.
Result<Root> root_from_json(const nlohmann::json& signed_);
Result<Targets> targets_from_json(const nlohmann::json& signed_);
Result<Snapshot> snapshot_from_json(const nlohmann::json& signed_);
Result<Timestamp> timestamp_from_json(const nlohmann::json& signed_);

// A key object as TUF carries it, and back. key_from_json reads the object with
// crypto::public_key_from_tuf_object (never the `ota-keys public` wrapper; RSA
// 2048-4096 PSS or PKCS#1 v1.5 for verification); a key it cannot read parses with
// `public_key` unset.
Key key_from_public(const crypto::PublicKey& key);
Result<Key> key_from_json(const nlohmann::json& object);

// Role and target names our producer accepts: no "/", "..", "%", NUL or empty names
// for roles; target paths relative, no "." or ".." segment, no empty segment. The
// readers above do not apply them (other producers' names must still parse).
Result<void> check_role_name(const std::string& name);
Result<void> check_target_path(const std::string& path);

}  // namespace ota::metadata
