#include "client/updater.h"

#include <fnmatch.h>

#include "client/names.h"
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

// TUF path patterns: shell wildcards where '*' and '?' do not cross '/' (spec 4.5), and a
// backslash is an ordinary character, as in python-tuf's fnmatch.
bool path_matches(const std::string& pattern, const std::string& path) {
  return fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME | FNM_NOESCAPE) == 0;
}

std::string freeze(const std::string& what, uint64_t version, metadata::Time expires) {
  return what + " version " + num(version) + " expired on " + metadata::format_time(expires) + " (freeze attack)";
}

}  // namespace

Result<void> check_length_and_hashes(ByteView bytes, std::optional<uint64_t> length,
                                     const std::map<std::string, std::string>& hashes, const std::string& what) {
  if (length && bytes.size() != *length)
    return rejected(what + " is " + num(bytes.size()) + " bytes, the signed metadata says " + num(*length));
  for (const auto& [alg, hex] : hashes) {
    auto digest = crypto::digest_by_name(alg, bytes);
    if (!digest) return std::move(digest).error().with_context(what);
    if (to_hex(*digest) != hex) return rejected(what + " does not match its signed " + alg);
  }
  return {};
}

Updater::Updater(Source& source, io::Storage& fs, std::optional<fs::path> state_dir, metadata::Time now, Limits limits)
    : source_(source), fs_(fs), state_dir_(std::move(state_dir)), now_(now), limits_(limits) {}

Versions Updater::versions() const {
  Versions v;
  if (root_) v.root = root_->version;
  if (timestamp_) v.timestamp = timestamp_->version;
  if (snapshot_) v.snapshot = snapshot_->version;
  if (auto it = targets_.find("targets"); it != targets_.end()) v.targets = it->second.targets.version;
  return v;
}

Result<void> Updater::persist(const std::string& file, ByteView bytes) {
  if (!state_dir_) return {};
  return io::write_atomic(fs_, *state_dir_ / file, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(bytes); });
}

void Updater::unpersist(const std::string& file) {
  if (state_dir_) fs_.remove(*state_dir_ / file);
}

Result<std::optional<Bytes>> Updater::load_persisted(const std::string& file) {
  if (!state_dir_) return std::optional<Bytes>();
  auto in = fs_.open_input(*state_dir_ / file);
  if (!in) {
    if (in.error().code == Errc::not_found) return std::optional<Bytes>();
    return std::move(in).error();
  }
  return std::optional<Bytes>(Bytes((*in)->bytes().begin(), (*in)->bytes().end()));
}

Result<void> Updater::start(ByteView initial_root) {
  if (state_dir_) {
    OTA_TRY(fs_.create_directories(*state_dir_));
    // Temporary files of a run that was killed (write_atomic names them ".NAME.tmp-*").
    if (auto names = fs_.list_directory(*state_dir_))
      for (const auto& n : *names)
        if (n.size() > 1 && n[0] == '.' && n.find(".tmp-") != std::string::npos) fs_.remove(*state_dir_ / n);
  }
  auto stored = load_persisted("root.json");
  if (!stored) return std::move(stored).error();
  Bytes root_bytes = *stored ? **stored : Bytes(initial_root.begin(), initial_root.end());
  auto e = parse(root_bytes, limits_.root_bytes, "trusted root");
  if (!e) return std::move(e).error();
  auto root = metadata::root_from_json(e->signed_);
  if (!root) return std::move(root).error().with_context("trusted root");
  // The anchor must at least be signed by its own root keys (5.2); its expiry does not matter.
  OTA_TRY(metadata::verify_threshold(*e, root->keys, root->roles.at("root"), "trusted root"));
  root_ = std::move(*root);
  if (!*stored) OTA_TRY(persist("root.json", root_bytes));

  // Earlier trusted metadata: the rollback reference, and reused while current. A stored
  // file that does not verify under the trusted root is not trusted, so it goes.
  if (auto ts = load_persisted("timestamp.json"); ts && *ts) {
    auto te = metadata::parse_envelope(**ts, limits_.timestamp_bytes);
    auto t = te ? metadata::timestamp_from_json(te->signed_) : Result<metadata::Timestamp>(te.error());
    if (t && metadata::verify_threshold(*te, root_->keys, root_->roles.at("timestamp"), "timestamp")) {
      timestamp_ = std::move(*t);
      timestamp_envelope_ = std::move(*te);
    } else {
      unpersist("timestamp.json");
    }
  }
  if (auto sn = load_persisted("snapshot.json"); sn && *sn) {
    auto se = metadata::parse_envelope(**sn, limits_.snapshot_bytes);
    auto s = se ? metadata::snapshot_from_json(se->signed_) : Result<metadata::Snapshot>(se.error());
    if (s && metadata::verify_threshold(*se, root_->keys, root_->roles.at("snapshot"), "snapshot")) {
      snapshot_ = std::move(*s);
      snapshot_envelope_ = std::move(*se);
      snapshot_bytes_ = std::move(**sn);
    } else {
      unpersist("snapshot.json");
    }
  }
  return {};
}

Result<void> Updater::refresh() {
  if (!root_) return Error{Errc::invalid_argument, "no trusted root: call start() first"};
  // Roles are verified again for every refresh: the root or the snapshot may change.
  targets_.clear();
  OTA_TRY(update_root());
  OTA_TRY(update_timestamp());
  OTA_TRY(update_snapshot());
  auto targets = update_targets("targets", "root", root_->keys, root_->roles.at("targets"));
  if (!targets) return std::move(targets).error();
  return {};
}

Result<void> Updater::update_root() {
  Result<void> chain = [&]() -> Result<void> {
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
                                               "root " + num(next) + " (checked with root " + num(root_->version) +
                                                   "'s keys)");
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
    return {};
  }();
  // Fast-forward recovery (5.3.11): what the trusted root's keys no longer sign is
  // forgotten and deleted, also when the chain stopped at a bad root after a rotation
  // was already persisted, and when the refresh fails below.
  drop_unverifiable_stored();
  if (!chain) return chain;
  if (root_->expires <= now_)
    return rejected("root version " + num(root_->version) + " expired on " + metadata::format_time(root_->expires) +
                    " (freeze attack, or the repository needs a new root)");
  return {};
}

void Updater::drop_unverifiable_stored() {
  if (timestamp_ && !metadata::verify_threshold(*timestamp_envelope_, root_->keys, root_->roles.at("timestamp"), "timestamp")) {
    timestamp_.reset();
    timestamp_envelope_.reset();
    unpersist("timestamp.json");
  }
  if (snapshot_ && !metadata::verify_threshold(*snapshot_envelope_, root_->keys, root_->roles.at("snapshot"), "snapshot")) {
    snapshot_.reset();
    snapshot_envelope_.reset();
    snapshot_bytes_.clear();
    unpersist("snapshot.json");
  }
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
    if (t->version == timestamp_->version) {
      // 5.4.3.1: nothing new; the trusted timestamp stays, and must still be valid.
      if (timestamp_->expires <= now_) return rejected(freeze("timestamp", timestamp_->version, timestamp_->expires));
      return {};
    }
    if (t->snapshot.version < timestamp_->snapshot.version)
      return rejected("timestamp names snapshot version " + num(t->snapshot.version) + ", older than the trusted " +
                      num(timestamp_->snapshot.version) + " (rollback attack)");
  }
  if (t->expires <= now_) return rejected(freeze("timestamp", t->version, t->expires));
  timestamp_ = std::move(*t);
  timestamp_envelope_ = std::move(*e);
  return persist("timestamp.json", *bytes);
}

Result<void> Updater::update_snapshot() {
  const metadata::MetaFile& meta = timestamp_->snapshot;
  // The trusted snapshot is final when it is the one the timestamp names and still valid:
  // nothing to fetch (the same bytes would come back).
  if (snapshot_ && snapshot_->version == meta.version && snapshot_->expires > now_ &&
      check_length_and_hashes(snapshot_bytes_, meta.length, meta.hashes, "snapshot"))
    return {};
  const std::string name = (root_->consistent_snapshot ? num(meta.version) + "." : "") + "snapshot.json";
  size_t max = meta.length ? size_t(*meta.length) : limits_.snapshot_bytes;
  auto bytes = source_.fetch_metadata(name, max);
  if (!bytes) return std::move(bytes).error().with_context("fetching " + name);
  OTA_TRY(check_length_and_hashes(*bytes, meta.length, meta.hashes, name));
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
  if (s->expires <= now_) return rejected(freeze("snapshot", s->version, s->expires));
  snapshot_ = std::move(*s);
  snapshot_envelope_ = std::move(*e);
  snapshot_bytes_ = std::move(*bytes);
  return persist("snapshot.json", snapshot_bytes_);
}

Result<Updater::LoadedTargets> Updater::check_targets(const std::string& role, const std::string& name, const Bytes& bytes,
                                                      const metadata::MetaFile& meta,
                                                      const std::map<std::string, metadata::Key>& keys,
                                                      const metadata::RoleKeys& role_keys) {
  OTA_TRY(check_length_and_hashes(bytes, meta.length, meta.hashes, name));
  const size_t max = meta.length ? size_t(*meta.length) : limits_.targets_bytes;
  auto e = parse(bytes, max, name);
  if (!e) return std::move(e).error();
  OTA_TRY(metadata::verify_threshold(*e, keys, role_keys, role));
  auto t = metadata::targets_from_json(e->signed_);
  if (!t) return std::move(t).error().with_context(name);
  if (t->version != meta.version)
    return rejected(name + " says version " + num(t->version) + ", the snapshot names " + num(meta.version) +
                    " (mix-and-match attack)");
  if (t->expires <= now_) return rejected(freeze(role, t->version, t->expires));
  return LoadedTargets{std::move(*t), std::move(*e), {}};
}

Result<const metadata::Targets*> Updater::update_targets(const std::string& role, const std::string& delegator,
                                                         const std::map<std::string, metadata::Key>& keys,
                                                         const metadata::RoleKeys& role_keys) {
  if (delegator != "root")
    for (const auto& top : metadata::kTopLevelRoles)
      if (role == top) return rejected(delegator + " delegates to a role named '" + role + "', a top-level role's name");
  // Already loaded in this refresh: its signatures were checked against the keys of the
  // delegator that first reached it, so check them against this one's too.
  if (auto it = targets_.find(role); it != targets_.end()) {
    LoadedTargets& loaded = it->second;
    if (!loaded.verified_by.count(delegator)) {
      OTA_TRY(metadata::verify_threshold(loaded.envelope, keys, role_keys, role + " (as delegated by " + delegator + ")"));
      loaded.verified_by.insert(delegator);
    }
    return &loaded.targets;
  }
  auto it = snapshot_->meta.find(role + ".json");
  if (it == snapshot_->meta.end()) return rejected("the snapshot does not list " + role + ".json");
  const metadata::MetaFile& meta = it->second;
  const std::string file = role_file_name(role);

  // A stored copy that is still the version the snapshot names and passes every check
  // is used as it is; anything else is fetched (an expired stored role included).
  auto stored = load_persisted(file);
  if (!stored) return std::move(stored).error();
  std::optional<LoadedTargets> loaded;
  if (*stored)
    if (auto l = check_targets(role, "stored " + file, **stored, meta, keys, role_keys)) loaded = std::move(*l);
  if (!loaded) {
    const std::string name = (root_->consistent_snapshot ? num(meta.version) + "." : "") + role + ".json";
    const size_t max = meta.length ? size_t(*meta.length) : limits_.targets_bytes;
    auto bytes = source_.fetch_metadata(name, max);
    if (!bytes) return std::move(bytes).error().with_context("fetching " + name);
    auto l = check_targets(role, name, *bytes, meta, keys, role_keys);
    if (!l) return std::move(l).error();
    OTA_TRY(persist(file, *bytes));
    loaded = std::move(*l);
  }
  loaded->verified_by.insert(delegator);
  auto& slot = targets_[role] = std::move(*loaded);
  return &slot.targets;
}

Result<TargetInfo> Updater::find_target(const std::string& path) {
  if (!snapshot_ || !targets_.count("targets")) return Error{Errc::invalid_argument, "refresh() first"};
  // Pointers into root_ and targets_ (std::map nodes stay where they are).
  struct Item {
    std::string role, delegator;
    const std::map<std::string, metadata::Key>* keys;
    const metadata::RoleKeys* role_keys;
  };
  std::vector<Item> stack{{"targets", "root", &root_->keys, &root_->roles.at("targets")}};
  std::set<std::string> visited;
  const ByteView path_bytes(reinterpret_cast<const uint8_t*>(path.data()), path.size());
  while (!stack.empty() && visited.size() < limits_.max_delegations) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (!visited.insert(item.role).second) continue;  // a role reached twice is searched once
    auto targets = update_targets(item.role, item.delegator, *item.keys, *item.role_keys);
    if (!targets) return std::move(targets).error();
    const metadata::Targets& role = **targets;
    if (auto it = role.targets.find(path); it != role.targets.end()) return TargetInfo{path, it->second, item.role};
    if (!role.delegations) continue;
    std::vector<Item> children;
    if (const auto& bins = role.delegations->succinct) {
      // TAP 15: exactly one bin can hold the path, and the delegation terminates.
      children.push_back({bins->bin_for(path), item.role, &role.delegations->keys, &bins->keys});
      stack.clear();
    }
    for (const auto& d : role.delegations->roles) {
      bool match = false;
      for (const auto& p : d.paths) match = match || path_matches(p, path);
      if (!d.path_hash_prefixes.empty()) {
        const std::string h = to_hex(crypto::sha256(path_bytes));
        for (const auto& prefix : d.path_hash_prefixes) match = match || h.rfind(prefix, 0) == 0;
      }
      if (!match) continue;
      children.push_back({d.name, item.role, &role.delegations->keys, &d.keys});
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

Result<std::string> Updater::remote_path(const TargetInfo& target) const {
  if (!root_ || !root_->consistent_snapshot) return target.path;
  if (target.file.hashes.empty())
    return Error{Errc::unsupported, "target '" + target.path + "' lists no hash to name its file"};
  auto h = target.file.hashes.find("sha256");
  const std::string& hash = h != target.file.hashes.end() ? h->second : target.file.hashes.begin()->second;
  // The hash goes on the file name, not the directory (5.7.3): "dir/HASH.name".
  const size_t slash = target.path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  return target.path.substr(0, base) + hash + "." + target.path.substr(base);
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

Result<void> Updater::stream_target(const TargetInfo& target, uint64_t offset, const ByteSink& sink) {
  if (offset > target.file.length)
    return rejected("offset " + num(offset) + " passes the end of target '" + target.path + "' (" +
                    num(target.file.length) + " bytes)");
  auto remote = remote_path(target);
  if (!remote) return std::move(remote).error();
  auto ok = source_.stream_target(*remote, offset, target.file.length - offset, sink);
  if (!ok && ok.error().code == Errc::too_large)  // endless data: more than was signed
    return rejected("target '" + target.path + "' is longer than its signed " + num(target.file.length) + " bytes");
  if (!ok) return std::move(ok).error().with_context("downloading '" + target.path + "'");
  return {};
}

Result<Bytes> Updater::download_target(const TargetInfo& target) {
  auto remote = remote_path(target);
  if (!remote) return std::move(remote).error();
  auto bytes = source_.fetch_target(*remote, target.file.length);
  if (!bytes && bytes.error().code == Errc::too_large)  // endless data: more than was signed
    return rejected("target '" + target.path + "' is longer than its signed " + num(target.file.length) + " bytes");
  if (!bytes) return std::move(bytes).error().with_context("downloading '" + target.path + "'");
  OTA_TRY(check_length_and_hashes(*bytes, target.file.length, target.file.hashes, "target '" + target.path + "'"));
  return bytes;
}

const metadata::Targets* Updater::top_targets() const {
  auto it = targets_.find("targets");
  return it == targets_.end() ? nullptr : &it->second.targets;
}

}  // namespace ota::client
