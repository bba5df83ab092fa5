#include "client/updater.h"

#include <fnmatch.h>

#include <set>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "io/write_atomic.h"

namespace ota::client {
namespace {

namespace fs = std::filesystem;
using metadata::Envelope;

std::string num(uint64_t v) { return std::to_string(v); }

Error rejected(const std::string& what) { return Error{Errc::rejected, what}; }

Result<Envelope> parse(const Bytes& bytes, size_t max, const std::string& name) {
  auto e = metadata::parse_envelope(bytes, max);
  if (!e) return std::move(e).error().with_context(name);
  return e;
}

// Length and every hash algorithm we know; at least one must be known.
Result<void> check_file(ByteView bytes, std::optional<uint64_t> length, const std::map<std::string, std::string>& hashes,
                        const std::string& what) {
  if (length && bytes.size() != *length)
    return rejected(what + " is " + num(bytes.size()) + " bytes, the signed metadata says " + num(*length));
  bool known = hashes.empty();
  for (const auto& [alg, hex] : hashes) {
    if (alg != "sha256") continue;
    known = true;
    if (to_hex(crypto::sha256(bytes)) != hex) return rejected(what + " does not match its signed sha256");
  }
  if (!known) return Error{Errc::unsupported, what + ": no hash algorithm this client knows (sha256)"};
  return {};
}

// TUF path patterns: shell wildcards where '*' does not cross '/'.
bool path_matches(const std::string& pattern, const std::string& path) {
  return fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

}  // namespace

Updater::Updater(Source& source, io::Storage& fs, std::optional<fs::path> state_dir, metadata::Time now, Limits limits)
    : source_(source), fs_(fs), state_dir_(std::move(state_dir)), now_(now), limits_(limits) {}

Versions Updater::versions() const {
  Versions v;
  if (root_) v.root = root_->version;
  if (timestamp_) v.timestamp = timestamp_->version;
  if (snapshot_) v.snapshot = snapshot_->version;
  if (auto it = targets_.find("targets"); it != targets_.end()) v.targets = it->second.version;
  return v;
}

Result<void> Updater::persist(const std::string& name, ByteView bytes) {
  if (!state_dir_) return {};
  return io::write_atomic(fs_, *state_dir_ / name, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(bytes); });
}

Result<std::optional<Bytes>> Updater::load_persisted(const std::string& name) {
  if (!state_dir_) return std::optional<Bytes>();
  auto file = fs_.open_input(*state_dir_ / name);
  if (!file) {
    if (file.error().code == Errc::not_found) return std::optional<Bytes>();
    return std::move(file).error();
  }
  return std::optional<Bytes>(Bytes((*file)->bytes().begin(), (*file)->bytes().end()));
}

Result<void> Updater::start(ByteView initial_root) {
  if (state_dir_) OTA_TRY(fs_.create_directories(*state_dir_));
  auto stored = load_persisted("root.json");
  if (!stored) return std::move(stored).error();
  Bytes root_bytes = *stored ? **stored : Bytes(initial_root.begin(), initial_root.end());
  auto e = parse(root_bytes, limits_.root_bytes, "trusted root");
  if (!e) return std::move(e).error();
  auto root = metadata::root_from_json(e->signed_);
  if (!root) return std::move(root).error().with_context("trusted root");
  // The anchor must at least be signed by its own root keys.
  OTA_TRY(metadata::verify_threshold(*e, root->keys, root->roles.at("root"), "trusted root"));
  root_ = std::move(*root);
  if (!*stored) OTA_TRY(persist("root.json", root_bytes));

  // Earlier trusted metadata, for rollback checks; what no longer verifies is dropped.
  if (auto ts = load_persisted("timestamp.json"); ts && *ts) {
    auto te = metadata::parse_envelope(**ts, limits_.timestamp_bytes);
    if (te && metadata::verify_threshold(*te, root_->keys, root_->roles.at("timestamp"), "timestamp"))
      if (auto t = metadata::timestamp_from_json(te->signed_)) timestamp_ = std::move(*t);
  }
  if (auto sn = load_persisted("snapshot.json"); sn && *sn) {
    auto se = metadata::parse_envelope(**sn, limits_.snapshot_bytes);
    if (se && metadata::verify_threshold(*se, root_->keys, root_->roles.at("snapshot"), "snapshot"))
      if (auto s = metadata::snapshot_from_json(se->signed_)) snapshot_ = std::move(*s);
  }
  return {};
}

Result<void> Updater::refresh() {
  if (!root_) return Error{Errc::invalid_argument, "no trusted root: call start() first"};
  OTA_TRY(update_root());
  OTA_TRY(update_timestamp());
  OTA_TRY(update_snapshot());
  auto targets = update_targets("targets", root_->keys, root_->roles.at("targets"));
  if (!targets) return std::move(targets).error();
  return {};
}

Result<void> Updater::update_root() {
  const auto before_ts = root_->roles.at("timestamp").keyids;
  const auto before_sn = root_->roles.at("snapshot").keyids;
  for (uint32_t step = 0; step < limits_.max_root_rotations; ++step) {
    const uint64_t next = root_->version + 1;
    const std::string name = num(next) + ".root.json";
    auto bytes = source_.fetch_metadata(name, limits_.root_bytes);
    if (!bytes) {
      if (bytes.error().code == Errc::not_found) break;
      return std::move(bytes).error().with_context("fetching " + name);
    }
    auto e = parse(*bytes, limits_.root_bytes, name);
    if (!e) return std::move(e).error();
    // Signed by a threshold of the root we trust, and of the new root's own keys.
    if (auto ok = metadata::verify_threshold(*e, root_->keys, root_->roles.at("root"),
                                             "root " + num(next) + " (checked with root " + num(root_->version) + "'s keys)");
        !ok)
      return ok;
    auto root = metadata::root_from_json(e->signed_);
    if (!root) return std::move(root).error().with_context(name);
    OTA_TRY(metadata::verify_threshold(*e, root->keys, root->roles.at("root"), "root " + num(next) + " (its own keys)"));
    if (root->version != next)
      return rejected(name + " says version " + num(root->version) + ": a root may not skip or repeat a version");
    root_ = std::move(*root);
    OTA_TRY(persist("root.json", *bytes));
  }
  if (root_->expires <= now_)
    return rejected("root version " + num(root_->version) + " expired on " + metadata::format_time(root_->expires) +
                    " (freeze attack, or the repository needs a new root)");
  // New timestamp or snapshot keys: forget what the old keys signed (fast-forward recovery).
  if (root_->roles.at("timestamp").keyids != before_ts) {
    timestamp_.reset();
    snapshot_.reset();
  } else if (root_->roles.at("snapshot").keyids != before_sn) {
    snapshot_.reset();
  }
  return {};
}

Result<void> Updater::update_timestamp() {
  auto bytes = source_.fetch_metadata("timestamp.json", limits_.timestamp_bytes);
  if (!bytes) return std::move(bytes).error().with_context("fetching timestamp.json");
  auto e = parse(*bytes, limits_.timestamp_bytes, "timestamp.json");
  if (!e) return std::move(e).error();
  OTA_TRY(metadata::verify_threshold(*e, root_->keys, root_->roles.at("timestamp"), "timestamp"));
  auto t = metadata::timestamp_from_json(e->signed_);
  if (!t) return std::move(t).error().with_context("timestamp.json");
  if (timestamp_) {
    if (t->version < timestamp_->version)
      return rejected("timestamp version " + num(t->version) + " is older than the trusted " + num(timestamp_->version) +
                      " (rollback attack)");
    if (t->snapshot.version < timestamp_->snapshot.version)
      return rejected("timestamp names snapshot version " + num(t->snapshot.version) + ", older than the trusted " +
                      num(timestamp_->snapshot.version) + " (rollback attack)");
  }
  if (t->expires <= now_)
    return rejected("timestamp version " + num(t->version) + " expired on " + metadata::format_time(t->expires) +
                    " (freeze attack)");
  timestamp_ = std::move(*t);
  return persist("timestamp.json", *bytes);
}

Result<void> Updater::update_snapshot() {
  const metadata::MetaFile& meta = timestamp_->snapshot;
  const std::string name = (root_->consistent_snapshot ? num(meta.version) + "." : "") + "snapshot.json";
  size_t max = meta.length ? size_t(*meta.length) : limits_.snapshot_bytes;
  auto bytes = source_.fetch_metadata(name, max);
  if (!bytes) return std::move(bytes).error().with_context("fetching " + name);
  OTA_TRY(check_file(*bytes, meta.length, meta.hashes, name));
  auto e = parse(*bytes, max, name);
  if (!e) return std::move(e).error();
  OTA_TRY(metadata::verify_threshold(*e, root_->keys, root_->roles.at("snapshot"), "snapshot"));
  auto s = metadata::snapshot_from_json(e->signed_);
  if (!s) return std::move(s).error().with_context(name);
  if (s->version != meta.version)
    return rejected(name + " says version " + num(s->version) + ", the timestamp names " + num(meta.version) +
                    " (mix-and-match attack)");
  if (snapshot_)
    for (const auto& [role, old] : snapshot_->meta) {
      auto it = s->meta.find(role);
      if (it == s->meta.end()) return rejected("snapshot version " + num(s->version) + " drops " + role);
      if (it->second.version < old.version)
        return rejected("snapshot lists " + role + " version " + num(it->second.version) + ", older than the trusted " +
                        num(old.version) + " (rollback attack)");
    }
  if (s->expires <= now_)
    return rejected("snapshot version " + num(s->version) + " expired on " + metadata::format_time(s->expires) +
                    " (freeze attack)");
  snapshot_ = std::move(*s);
  targets_.clear();
  return persist("snapshot.json", *bytes);
}

Result<const metadata::Targets*> Updater::update_targets(const std::string& role, const std::map<std::string, metadata::Key>& keys,
                                                  const metadata::RoleKeys& role_keys) {
  if (auto it = targets_.find(role); it != targets_.end()) return &it->second;
  OTA_TRY(metadata::check_role_name(role));
  auto it = snapshot_->meta.find(role + ".json");
  if (it == snapshot_->meta.end()) return rejected("the snapshot does not list " + role + ".json");
  const metadata::MetaFile& meta = it->second;
  const std::string name = (root_->consistent_snapshot ? num(meta.version) + "." : "") + role + ".json";
  size_t max = meta.length ? size_t(*meta.length) : limits_.targets_bytes;
  auto bytes = source_.fetch_metadata(name, max);
  if (!bytes) return std::move(bytes).error().with_context("fetching " + name);
  OTA_TRY(check_file(*bytes, meta.length, meta.hashes, name));
  auto e = parse(*bytes, max, name);
  if (!e) return std::move(e).error();
  OTA_TRY(metadata::verify_threshold(*e, keys, role_keys, role));
  auto t = metadata::targets_from_json(e->signed_);
  if (!t) return std::move(t).error().with_context(name);
  if (t->version != meta.version)
    return rejected(name + " says version " + num(t->version) + ", the snapshot names " + num(meta.version) +
                    " (mix-and-match attack)");
  if (t->expires <= now_)
    return rejected(role + " version " + num(t->version) + " expired on " + metadata::format_time(t->expires) +
                    " (freeze attack)");
  OTA_TRY(persist(role + ".json", *bytes));
  auto& stored = targets_[role] = std::move(*t);
  return &stored;
}

Result<TargetInfo> Updater::find_target(const std::string& path) {
  if (!snapshot_) return Error{Errc::invalid_argument, "refresh() first"};
  struct Item {
    std::string role;
    std::map<std::string, metadata::Key> keys;
    metadata::RoleKeys role_keys;
  };
  std::vector<Item> stack{{"targets", root_->keys, root_->roles.at("targets")}};
  std::set<std::string> visited;
  while (!stack.empty() && visited.size() < limits_.max_delegations) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (!visited.insert(item.role).second) continue;  // a role reached twice is searched once
    auto targets = update_targets(item.role, item.keys, item.role_keys);
    if (!targets) return std::move(targets).error();
    const metadata::Targets& role = **targets;
    if (auto it = role.targets.find(path); it != role.targets.end()) return TargetInfo{path, it->second, item.role};
    if (!role.delegations) continue;
    std::vector<Item> children;
    for (const auto& d : role.delegations->roles) {
      bool match = false;
      for (const auto& p : d.paths) match = match || path_matches(p, path);
      if (!d.path_hash_prefixes.empty()) {
        std::string h = to_hex(crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(path.data()), path.size())));
        for (const auto& prefix : d.path_hash_prefixes) match = match || h.rfind(prefix, 0) == 0;
      }
      if (!match) continue;
      children.push_back({d.name, role.delegations->keys, d.keys});
      if (d.terminating) {
        stack.clear();  // nothing after a terminating delegation is searched
        break;
      }
    }
    // Pre-order: the first delegation is searched first.
    for (auto c = children.rbegin(); c != children.rend(); ++c) stack.push_back(std::move(*c));
  }
  return Error{Errc::not_found, "no trusted targets role lists '" + path + "'"};
}

// Under consistent snapshots a target is stored as DIR/<sha256>.NAME.
Result<std::string> Updater::remote_path(const TargetInfo& target) const {
  if (!root_ || !root_->consistent_snapshot) return target.path;
  auto h = target.file.hashes.find("sha256");
  if (h == target.file.hashes.end())
    return Error{Errc::unsupported, "target '" + target.path + "' has no sha256 to name its file"};
  fs::path p(target.path);
  return (p.parent_path() / (h->second + "." + p.filename().string())).string();
}

Result<Bytes> Updater::download_target_range(const TargetInfo& target, uint64_t offset, size_t length) {
  if (offset > target.file.length || length > target.file.length - offset)
    return rejected("range " + num(offset) + "+" + num(length) + " passes the end of target '" + target.path + "' (" +
                    num(target.file.length) + " bytes)");
  auto remote = remote_path(target);
  if (!remote) return std::move(remote).error();
  auto bytes = source_.fetch_target_range(*remote, offset, length);
  if (!bytes) return std::move(bytes).error().with_context("downloading '" + target.path + "'");
  if (bytes->size() > length) return rejected("the server sent more than the range asked of '" + target.path + "'");
  return bytes;
}

Result<Bytes> Updater::download_target(const TargetInfo& target) {
  auto remote = remote_path(target);
  if (!remote) return std::move(remote).error();
  auto bytes = source_.fetch_target(*remote, target.file.length);
  if (!bytes && bytes.error().code == Errc::too_large)  // endless data: more than was signed
    return rejected("target '" + target.path + "' is longer than its signed " + num(target.file.length) + " bytes");
  if (!bytes) return std::move(bytes).error().with_context("downloading '" + target.path + "'");
  OTA_TRY(check_file(*bytes, target.file.length, target.file.hashes, "target '" + target.path + "'"));
  return bytes;
}

const metadata::Targets* Updater::top_targets() const {
  auto it = targets_.find("targets");
  return it == targets_.end() ? nullptr : &it->second;
}

}  // namespace ota::client
