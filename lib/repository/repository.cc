#include "repository/repository.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <set>
#include <tuple>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "crypto/tuf_key.h"
#include "delta/operations.h"
#include "image/slot_image.h"
#include "io/write_atomic.h"
#include "metadata/envelope.h"

namespace ota::repository {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using metadata::Envelope;

constexpr size_t kMaxMetadata = 16 << 20;
constexpr uint64_t kDay = 86400;

struct Defaults {
  uint32_t threshold, expires_days;
};
// Fleet defaults (docs/repository.md explains them): offline root and targets, online
// snapshot and timestamp with short expiry so a frozen mirror is noticed within a day.
const std::map<std::string, Defaults> kDefaults = {
    {"root", {3, 365}}, {"targets", {2, 90}}, {"snapshot", {1, 7}}, {"timestamp", {1, 1}}};

std::string text_of(ByteView b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }
ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

Result<void> write_text(io::Storage& fs, const fs::path& path, const std::string& text) {
  return io::write_atomic(fs, path, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(view(text)); });
}

Result<json> read_json(io::Storage& fs, const fs::path& path) {
  auto file = fs.open_input(path);
  if (!file) return std::move(file).error();
  json doc = json::parse((*file)->bytes().begin(), (*file)->bytes().end(), nullptr, false);
  if (doc.is_discarded()) return Error{Errc::corrupt, "'" + path.string() + "' is not valid JSON"};
  return doc;
}

Result<Envelope> read_envelope(io::Storage& fs, const fs::path& path) {
  auto file = fs.open_input(path);
  if (!file) return std::move(file).error();
  auto e = metadata::parse_envelope((*file)->bytes(), kMaxMetadata);
  if (!e) return std::move(e).error().with_context("'" + path.string() + "'");
  return e;
}

// Length and SHA-256 of a metadata file as snapshot/timestamp record them.
metadata::MetaFile describe(uint64_t version, const std::string& bytes) {
  metadata::MetaFile m;
  m.version = version;
  m.length = bytes.size();
  m.hashes["sha256"] = to_hex(crypto::sha256(view(bytes)));
  return m;
}

// targets/dir/<sha256>.<basename> for target path dir/basename.
fs::path target_file(const fs::path& repo, const std::string& name, const std::string& sha256) {
  fs::path p(name);
  return repo / "targets" / p.parent_path() / (sha256 + "." + p.filename().string());
}

Result<Config> load_repo_config(io::Storage& fs, const fs::path& repo) {
  auto doc = read_json(fs, repo / "ota-repo.json");
  if (!doc) {
    if (doc.error().code == Errc::not_found)
      return Error{Errc::not_found, "'" + repo.string() + "' is not an ota-manifest repository (no ota-repo.json); "
                                    "create one with 'ota-manifest init'"};
    return std::move(doc).error();
  }
  Config c;
  try {
    for (const auto& [name, r] : (*doc)["roles"].items())
      c.roles[name] = RoleConfig{r["keys"].get<std::vector<std::string>>(), r["threshold"].get<uint32_t>(),
                                 r["expires_days"].get<uint32_t>()};
    c.director = doc->value("kind", "image") == "director";
    c.vehicle = doc->value("vehicle", "");
    if (doc->contains("delegations"))
      for (const auto& d : (*doc)["delegations"])
        c.delegations.push_back({d["name"].get<std::string>(),
                                 RoleConfig{d["keys"].get<std::vector<std::string>>(), d["threshold"].get<uint32_t>(),
                                            d["expires_days"].get<uint32_t>()},
                                 d["paths"].get<std::vector<std::string>>(), d["terminating"].get<bool>()});
  } catch (const json::exception&) {
    return Error{Errc::corrupt, "'" + (repo / "ota-repo.json").string() + "' is damaged"};
  }
  return c;
}

json repo_config_json(const Config& c) {
  json roles = json::object();
  for (const auto& [name, r] : c.roles)
    roles[name] = {{"keys", r.keys}, {"threshold", r.threshold}, {"expires_days", r.expires_days}};
  json delegations = json::array();
  for (const auto& d : c.delegations)
    delegations.push_back({{"name", d.name}, {"keys", d.keys.keys}, {"threshold", d.keys.threshold},
                           {"expires_days", d.keys.expires_days}, {"paths", d.paths}, {"terminating", d.terminating}});
  json out = {{"format", "ota-repo/1"}, {"kind", c.director ? "director" : "image"}, {"roles", roles},
              {"delegations", delegations}};
  if (!c.vehicle.empty()) out["vehicle"] = c.vehicle;
  return out;
}

fs::path staged_path(const fs::path& repo, const std::string& role) {
  return repo / (role == "targets" ? std::string("staged-targets.json") : "staged-" + role + ".json");
}

// Key ids and key objects of a delegated role, from its key references.
Result<std::pair<metadata::RoleKeys, std::map<std::string, metadata::Key>>> delegated_keys(Context& ctx,
                                                                                           const DelegationConfig& d) {
  metadata::RoleKeys rk;
  rk.threshold = d.keys.threshold;
  std::map<std::string, metadata::Key> keys;
  for (const auto& ref : d.keys.keys) {
    auto pub = ctx.open_public_key(ref);
    if (!pub) return std::move(pub).error().with_context("delegated role '" + d.name + "' key");
    std::string id = crypto::tuf_key_id(*pub);
    keys.emplace(id, metadata::key_from_public(*pub));
    rk.keyids.push_back(id);
  }
  return std::pair{rk, keys};
}

json stamp_json(const io::FileStamp& s) {
  return {{"size", s.size}, {"mtime_ns", s.mtime_ns}, {"inode", s.inode}};
}
io::FileStamp stamp_from_json(const json& j) {
  try {
    return {j.at("size").get<uint64_t>(), j.at("mtime_ns").get<int64_t>(), j.at("inode").get<uint64_t>()};
  } catch (const json::exception&) {
    return {};  // never equal to a real file's stamp: the file is hashed again
  }
}

// Reads staged targets of one role and checks every file is still what was added.
Result<std::map<std::string, metadata::TargetFile>> staged_targets(Context& ctx, const fs::path& repo,
                                                                   const std::string& role, bool director) {
  std::map<std::string, metadata::TargetFile> out;
  auto staged = read_json(ctx.fs, staged_path(repo, role));
  if (!staged) {
    if (staged.error().code == Errc::not_found && role != "targets") return out;
    return std::move(staged).error();
  }
  for (auto& [name, entry] : staged->items()) {
    metadata::TargetFile f;
    f.length = entry.at("length").get<uint64_t>();
    f.hashes = entry.at("hashes").get<std::map<std::string, std::string>>();
    if (entry.contains("custom")) f.custom = std::move(entry["custom"]);
    if (!director) {  // a director's targets are images held by the image repository
      const fs::path path = target_file(repo, name, f.hashes.at("sha256"));
      // The stamp recorded by add spares reading every file again; any other stamp
      // (rewritten, replaced, touched) means the bytes are hashed again. A same-size
      // rewrite within one kernel timestamp tick of add would go unseen: the copy is the
      // repository's own, and clients check every hash anyway.
      auto stamp = ctx.fs.stamp(path);
      if (!stamp) return std::move(stamp).error().with_context("target '" + name + "'");
      if (!entry.contains("stamp") || stamp_from_json(entry["stamp"]) != *stamp) {
        auto stored = ctx.fs.open_input(path);
        if (!stored) return std::move(stored).error().with_context("target '" + name + "'");
        if ((*stored)->bytes().size() != f.length || to_hex(crypto::sha256((*stored)->bytes())) != f.hashes["sha256"])
          return Error{Errc::rejected, "target '" + name + "' changed since it was added: add it again"};
      }
    }
    out.emplace(name, std::move(f));
  }
  return out;
}

// Opens every key of a role that can be opened; at least `threshold` must sign.
Result<std::vector<std::unique_ptr<signer::Signer>>> open_role(Context& ctx, const std::string& role,
                                                               const RoleConfig& rc,
                                                               const metadata::RoleKeys& in_root) {
  std::vector<std::unique_ptr<signer::Signer>> out;
  std::string failures;
  for (const auto& ref : rc.keys) {
    auto s = ctx.open_signer(ref, role);
    if (!s) {
      failures += (failures.empty() ? "" : "; ") + s.error().message;
      continue;
    }
    std::string id = (*s)->key_id();
    bool listed = false;
    for (const auto& k : in_root.keyids) listed = listed || k == id;
    if (!listed)
      return Error{Errc::rejected, "key " + id.substr(0, 12) + "… for the " + role +
                                       " role is not in root: rotate root to add it first"};
    out.push_back(std::move(*s));
  }
  if (out.size() < in_root.threshold)
    return Error{Errc::hsm, "the " + role + " role needs " + std::to_string(in_root.threshold) + " key" +
                                (in_root.threshold == 1 ? "" : "s") + ", only " + std::to_string(out.size()) +
                                " could be opened" + (failures.empty() ? "" : ": " + failures)};
  return out;
}

Result<std::string> sign_role(std::vector<std::unique_ptr<signer::Signer>>& signers, const json& signed_) {
  std::vector<signer::Signer*> raw;
  for (auto& s : signers) raw.push_back(s.get());
  return metadata::sign_and_serialize(signed_, raw);
}

Result<metadata::Root> latest_root(io::Storage& fs, const fs::path& repo, uint64_t& version) {
  std::optional<metadata::Root> root;
  for (uint64_t n = 1;; ++n) {
    auto e = read_envelope(fs, repo / "metadata" / (std::to_string(n) + ".root.json"));
    if (!e) {
      if (e.error().code == Errc::not_found && root) break;
      return std::move(e).error();
    }
    auto r = metadata::root_from_json(e->signed_);
    if (!r) return std::move(r).error();
    root = std::move(*r);
    version = n;
  }
  return std::move(*root);
}

// Checks a config against the rules a root must follow: thresholds, one key per role,
// no key material twice.
Result<std::map<std::string, std::vector<crypto::PublicKey>>> check_config_keys(Context& ctx, const Config& config) {
  std::map<std::string, std::vector<crypto::PublicKey>> keys;
  std::map<std::string, std::string> owner;  // key id -> role
  for (const auto& name : metadata::kTopLevelRoles) {
    const RoleConfig& rc = config.roles.at(name);
    for (const auto& ref : rc.keys) {
      auto pub = ctx.open_public_key(ref);
      if (!pub) return std::move(pub).error().with_context("the " + name + " role's key");
      std::string id = crypto::tuf_key_id(*pub);
      if (auto it = owner.find(id); it != owner.end())
        return Error{Errc::invalid_argument,
                     it->second == name
                         ? "the " + name + " role lists key " + id.substr(0, 12) + "… twice"
                         : "key " + id.substr(0, 12) + "… serves both the " + it->second + " and the " + name +
                               " role: one key serves one role only"};
      owner[id] = name;
      keys[name].push_back(std::move(*pub));
    }
  }
  return keys;
}

}  // namespace

Result<Config> parse_config(const std::string& yaml_text, const fs::path& base_dir) {
  YAML::Node doc;
  try {
    doc = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error{Errc::corrupt, "repo config is not valid YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  if (!doc.IsMap()) return Error{Errc::corrupt, "repo config must be a mapping with \"roles\""};
  Config c;
  try {
    for (const auto& top : doc) {
      std::string key = top.first.as<std::string>();
      if (key != "roles") return Error{Errc::invalid_argument, "repo config: unknown field \"" + key + "\""};
    }
    YAML::Node roles = doc["roles"];
    if (!roles || !roles.IsMap()) return Error{Errc::invalid_argument, "repo config: \"roles\" must be a mapping"};
    for (const auto& entry : roles) {
      std::string name = entry.first.as<std::string>();
      auto def = kDefaults.find(name);
      if (def == kDefaults.end())
        return Error{Errc::invalid_argument, "repo config: unknown role \"" + name +
                                                 "\" (root, targets, snapshot, timestamp; delegate others with "
                                                 "'ota-manifest delegate')"};
      RoleConfig rc{{}, def->second.threshold, def->second.expires_days};
      for (const auto& f : entry.second) {
        std::string field = f.first.as<std::string>();
        if (field == "keys") {
          for (const auto& k : f.second) {
            std::string ref = k.as<std::string>();
            if (ref.find("pin-value=") != std::string::npos)
              return Error{Errc::invalid_argument, "repo config: role \"" + name +
                                                       "\": no pin-value in a stored key reference; use "
                                                       "pin-source=file:PATH or OTA_PKCS11_PIN"};
            if (ref.rfind("file:", 0) == 0 && fs::path(ref.substr(5)).is_relative())
              ref = "file:" + (base_dir / ref.substr(5)).lexically_normal().string();
            rc.keys.push_back(ref);
          }
        } else if (field == "threshold") {
          rc.threshold = f.second.as<uint32_t>();
        } else if (field == "expires_days") {
          rc.expires_days = f.second.as<uint32_t>();
        } else {
          return Error{Errc::invalid_argument, "repo config: role \"" + name + "\": unknown field \"" + field + "\""};
        }
      }
      if (rc.keys.empty()) return Error{Errc::invalid_argument, "repo config: role \"" + name + "\" has no keys"};
      if (rc.threshold == 0 || rc.threshold > rc.keys.size())
        return Error{Errc::invalid_argument, "repo config: role \"" + name + "\": threshold " +
                                                 std::to_string(rc.threshold) + " with " +
                                                 std::to_string(rc.keys.size()) + " key(s): it must be 1.." +
                                                 std::to_string(rc.keys.size())};
      if (rc.expires_days == 0)
        return Error{Errc::invalid_argument, "repo config: role \"" + name + "\": expires_days must be at least 1"};
      c.roles[name] = std::move(rc);
    }
  } catch (const YAML::Exception& e) {
    return Error{Errc::invalid_argument, "repo config: line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  for (const auto& name : metadata::kTopLevelRoles)
    if (!c.roles.count(name)) return Error{Errc::invalid_argument, "repo config: role \"" + name + "\" is missing"};
  return c;
}

Result<RoleVersions> published_versions(io::Storage& fs, const fs::path& repo) {
  RoleVersions v;
  auto root = latest_root(fs, repo, v.root);
  if (!root) return std::move(root).error();
  auto ts = read_envelope(fs, repo / "metadata" / "timestamp.json");
  if (!ts) return std::move(ts).error();
  auto t = metadata::timestamp_from_json(ts->signed_);
  if (!t) return std::move(t).error();
  v.timestamp = t->version;
  v.timestamp_expires = t->expires;
  v.snapshot = t->snapshot.version;
  auto sn = read_envelope(fs, repo / "metadata" / (std::to_string(v.snapshot) + ".snapshot.json"));
  if (!sn) return std::move(sn).error();
  auto s = metadata::snapshot_from_json(sn->signed_);
  if (!s) return std::move(s).error();
  auto it = s->meta.find("targets.json");
  if (it == s->meta.end()) return Error{Errc::corrupt, "the published snapshot lists no targets.json"};
  v.targets = it->second.version;
  return v;
}

namespace {
Result<PublishReport> publish_with(Context& ctx, const fs::path& repo, const Config& config);
}  // namespace

Result<InitReport> init(Context& ctx, const Config& config, const fs::path& repo) {
  // ota-repo.json is written last: a failed init leaves no repository (its leftover
  // version-1 files are overwritten by the next attempt).
  if (ctx.fs.open_input(repo / "ota-repo.json"))
    return Error{Errc::invalid_argument, "'" + repo.string() + "' already holds a repository"};
  auto keys = check_config_keys(ctx, config);
  if (!keys) return std::move(keys).error();

  metadata::Root root;
  root.version = 1;
  root.expires = ctx.now + int64_t(config.roles.at("root").expires_days * kDay);
  InitReport report;
  for (const auto& name : metadata::kTopLevelRoles) {
    metadata::RoleKeys rk;
    rk.threshold = config.roles.at(name).threshold;
    for (const auto& pub : keys->at(name)) {
      std::string id = crypto::tuf_key_id(pub);
      root.keys.emplace(id, metadata::key_from_public(pub));
      rk.keyids.push_back(id);
    }
    report.key_ids[name] = rk.keyids;
    root.roles[name] = std::move(rk);
  }
  auto signers = open_role(ctx, "root", config.roles.at("root"), root.roles["root"]);
  if (!signers) return std::move(signers).error();
  auto root_text = sign_role(*signers, metadata::to_json(root));
  if (!root_text) return std::move(root_text).error();

  OTA_TRY(ctx.fs.create_directories(repo / "metadata"));
  OTA_TRY(ctx.fs.create_directories(repo / "targets"));
  // Write everything for version 1 before the files that make it a repository.
  OTA_TRY(write_text(ctx.fs, repo / "staged-targets.json", "{}\n"));
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / "1.root.json", *root_text));
  auto published = publish_with(ctx, repo, config);
  if (!published) return std::move(published).error();
  OTA_TRY(write_text(ctx.fs, repo / "ota-repo.json", repo_config_json(config).dump(1) + "\n"));
  report.versions = published->versions;
  return report;
}

namespace {

// Puts `bytes` at the content-addressed `dest` and returns its stamp, without a sync:
// add_targets syncs the file system once before the staging file names it. A file
// already there with these bytes (published before, or added twice) is kept, so a
// published target is never replaced by a write not yet durable; a damaged one is
// replaced, durably.
Result<io::FileStamp> store_target(Context& ctx, const fs::path& dest, ByteView bytes, const std::string& sha) {
  auto written = io::write_new(ctx.fs, dest, io::FileMode::kPublic, bytes);
  if (!written) return std::move(written).error();
  if (written->created) return written->stamp;
  auto existing = ctx.fs.open_input(dest);
  if (!existing || (*existing)->bytes().size() != bytes.size() || to_hex(crypto::sha256((*existing)->bytes())) != sha)
    OTA_TRY(io::write_atomic(ctx.fs, dest, io::FileMode::kPublic, [&](io::Writer& w) { return w.write(bytes); }));
  return ctx.fs.stamp(dest);
}

// The per-chunk SHA-256 list a device checks each downloaded chunk against (the last
// chunk may be short); a file of one chunk lists its own hash `whole_sha`.
json chunk_hashes(ByteView bytes, uint64_t chunk_size, const std::string& whole_sha) {
  json chunks = json::array();
  if (bytes.size() <= chunk_size) return json::array({whole_sha});
  for (uint64_t off = 0; off < bytes.size(); off += chunk_size)
    chunks.push_back(to_hex(crypto::sha256(bytes.subspan(off, std::min<uint64_t>(chunk_size, bytes.size() - off)))));
  return chunks;
}

// One request's files, copied into targets/ and ready to stage: the image first, then
// one entry per delta.
struct StagedFiles {
  std::vector<std::pair<std::string, json>> entries;  // target name -> staged entry
  std::vector<AddedTarget> targets;
};

// Reads, hashes and stores one image and its deltas. Touches nothing shared but the
// storage, so requests run in parallel; their directories exist already.
Result<StagedFiles> stage_one(Context& ctx, const fs::path& repo, const AddRequest& req) {
  auto image = ctx.fs.open_input(req.file);
  if (!image) return std::move(image).error();
  ByteView bytes = (*image)->bytes();
  const auto digest = crypto::sha256(bytes);
  const std::string sha = to_hex(digest);
  json chunks = chunk_hashes(bytes, req.chunk_size, sha);

  json deltas = json::object();
  // Each file is read once: what is copied is exactly what was hashed.
  struct PendingFile { std::string name; std::unique_ptr<io::InputFile> input; std::string sha; json custom; };
  std::vector<PendingFile> files;
  files.push_back({req.name, nullptr, sha, {}});
  for (const auto& d : req.deltas) {
    auto info = delta::inspect_patch(ctx.fs, d.patch);
    if (!info) return std::move(info).error().with_context("delta from " + d.from_version);
    if (info->trailer && info->trailer->new_sha256 != digest)
      return Error{Errc::rejected, "delta from " + d.from_version + " ('" + d.patch.string() +
                                       "') does not produce '" + req.file.string() + "'"};
    auto patch = ctx.fs.open_input(d.patch);
    if (!patch) return std::move(patch).error();
    const std::string psha = to_hex(crypto::sha256((*patch)->bytes()));
    const std::string pname = req.name + ".from-" + d.from_version + ".patch";
    deltas[d.from_version] = {{"target", pname},
                              {"length", (*patch)->bytes().size()},
                              {"hashes", {{"sha256", psha}}},
                              {"algorithm", std::string(delta::to_string(info->algorithm))},
                              {"chunks", {{"size", req.chunk_size},
                                          {"sha256", chunk_hashes((*patch)->bytes(), req.chunk_size, psha)}}}};
    files.push_back({pname, std::move(*patch), psha,
                     {{"delta", {{"of", req.name}, {"from_version", d.from_version}, {"to_version", req.version}}}}});
  }
  // An MCUboot-container slot image (ota-image sign) also names the digest the
  // bootloader checks (BOOT-SPEC I6), so the agent can match the two before writing.
  json slot_image;
  if (bytes.size() >= 4 && load_le32(bytes.data()) == ota::image::kImageMagic) {
    auto parsed = ota::image::parse_image(bytes);
    if (auto* f = std::get_if<ota::image::ParseFailure>(&parsed))
      return Error{Errc::corrupt, "'" + req.file.string() + "' looks like a slot image but is malformed: " +
                                      std::string(ota::image::to_string(f->code)) + ": " + f->message};
    const auto& img = std::get<ota::image::ParsedImage>(parsed);
    if (std::find(req.hardware_ids.begin(), req.hardware_ids.end(), img.hardware_id) == req.hardware_ids.end())
    {
      std::string named;
      for (const auto& h : req.hardware_ids) named += (named.empty() ? "'" : ", '") + h + "'";
      return Error{Errc::invalid_argument, "slot image '" + req.file.string() + "' is for hardware id '" + img.hardware_id +
                                               "', the target names " + named + ": devices would refuse it"};
    }
    slot_image = {{"digest", to_hex(ByteView(img.sha256))},
                  {"version", ota::image::to_string(img.version)},
                  {"security_counter", img.security_counter},
                  {"hardware_id", img.hardware_id}};
  }
  files[0].input = std::move(*image);
  files[0].custom = {{"version", req.version},
                     {"release_counter", req.release_counter},
                     {"hardware_ids", req.hardware_ids},
                     {"priority", req.priority},
                     {"chunks", {{"size", req.chunk_size}, {"sha256", std::move(chunks)}}},
                     {"deltas", std::move(deltas)}};
  if (!slot_image.is_null()) files[0].custom["slot_image"] = std::move(slot_image);

  StagedFiles out;
  for (auto& f : files) {
    const uint64_t length = f.input->bytes().size();
    auto stamp = store_target(ctx, target_file(repo, f.name, f.sha), f.input->bytes(), f.sha);
    if (!stamp) return std::move(stamp).error();
    f.input.reset();  // hold one request's files at a time, not the whole batch
    out.entries.emplace_back(f.name, json{{"length", length}, {"hashes", {{"sha256", f.sha}}},
                                          {"custom", std::move(f.custom)}, {"stamp", stamp_json(*stamp)}});
    out.targets.push_back({f.name, length, f.sha});
  }
  return out;
}

// Everything about a request that needs no file: refused before any file is written.
Result<void> check_request(const Config& config, const AddRequest& req) {
  OTA_TRY(metadata::check_target_path(req.name));
  if (req.version.empty()) return Error{Errc::invalid_argument, "a target needs --version"};
  if (req.hardware_ids.empty()) return Error{Errc::invalid_argument, "a target needs at least one --hardware-id"};
  if (req.priority != "security" && req.priority != "bugfix" && req.priority != "feature")
    return Error{Errc::invalid_argument, "--priority '" + req.priority + "': security, bugfix or feature"};
  if (req.chunk_size < 4096) return Error{Errc::invalid_argument, "--chunk-size must be at least 4096 bytes"};
  for (const auto& d : req.deltas) {
    if (d.from_version.empty() || d.from_version == req.version)
      return Error{Errc::invalid_argument, "--delta needs FROM_VERSION=PATCH with a version other than " + req.version};
    OTA_TRY(metadata::check_target_path(req.name + ".from-" + d.from_version + ".patch"));
  }
  if (req.role != "targets") {
    const DelegationConfig* d = nullptr;
    for (const auto& c : config.delegations) d = c.name == req.role ? &c : d;
    if (!d) return Error{Errc::invalid_argument, "no delegated role '" + req.role + "': add it with 'ota-manifest delegate'"};
    bool match = false;
    for (const auto& p : d->paths) match = match || fnmatch(p.c_str(), req.name.c_str(), FNM_PATHNAME) == 0;
    if (!match)
      return Error{Errc::invalid_argument, "target '" + req.name + "' is outside the paths delegated to '" + req.role + "'"};
  }
  return {};
}

}  // namespace

Result<AddReport> add_targets(Context& ctx, const fs::path& repo, const std::vector<AddRequest>& requests) {
  auto config = load_repo_config(ctx.fs, repo);
  if (!config) return std::move(config).error();
  if (config->director)
    return Error{Errc::invalid_argument, "'" + repo.string() + "' is a director repository: assign images with 'ota-manifest director'"};
  std::map<std::string, json> next;  // role -> staged targets
  std::set<fs::path> dirs;
  for (const auto& req : requests) {
    OTA_TRY(check_request(*config, req));
    if (!next.count(req.role)) {
      auto staged = read_json(ctx.fs, staged_path(repo, req.role));
      if (!staged && !(staged.error().code == Errc::not_found && req.role != "targets")) return std::move(staged).error();
      next[req.role] = staged ? std::move(*staged) : json::object();
    }
    dirs.insert(target_file(repo, req.name, "").parent_path());
  }
  for (const auto& d : dirs) OTA_TRY(ctx.fs.create_directories(d));

  // Reading, hashing and copying run on up to `jobs` threads; the staging files are
  // then filled in request order, so the result does not depend on the threads.
  std::vector<std::optional<Result<StagedFiles>>> staged(requests.size());
  std::atomic<size_t> next_request{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i; !failed && (i = next_request++) < requests.size();) {
      staged[i] = stage_one(ctx, repo, requests[i]);
      if (!*staged[i]) failed = true;
    }
  };
  const size_t jobs = ctx.fs.thread_safe() ? std::clamp<size_t>(ctx.jobs, 1, requests.size()) : 1;
  if (jobs > 1) {
    std::vector<std::thread> threads;
    try {
      for (size_t t = 1; t < jobs; ++t) threads.emplace_back(worker);
    } catch (const std::system_error&) {  // fewer threads than asked: the others do the work
    }
    worker();
    for (auto& t : threads) t.join();
  } else {
    worker();
  }
  // The first failure in request order, whichever thread met it (later requests may not
  // have run). Files already copied stay unreferenced in targets/ until added again.
  for (auto& result : staged)
    if (result && !*result) return std::move(*result).error();
  AddReport report;
  for (size_t i = 0; i < requests.size(); ++i) {
    json& role = next[requests[i].role];
    for (auto& [name, entry] : (*staged[i])->entries) role[name] = std::move(entry);
    for (auto& t : (*staged[i])->targets) report.targets.push_back(std::move(t));
  }
  // The copies become durable before any staging file names them; then one rewrite
  // of each staging file for the whole batch: nothing is staged on failure.
  OTA_TRY(ctx.fs.sync_filesystem(repo / "targets"));
  for (const auto& [role, entries] : next)
    OTA_TRY(write_text(ctx.fs, staged_path(repo, role), entries.dump(1) + "\n"));
  return report;
}

Result<void> delegate(Context& ctx, const fs::path& repo, const DelegationConfig& delegation) {
  auto config = load_repo_config(ctx.fs, repo);
  if (!config) return std::move(config).error();
  if (config->director)
    return Error{Errc::invalid_argument, "a director repository has no delegations (Uptane)"};
  OTA_TRY(metadata::check_role_name(delegation.name));
  if (delegation.name == "root" || delegation.name == "targets" || delegation.name == "snapshot" ||
      delegation.name == "timestamp")
    return Error{Errc::invalid_argument, "'" + delegation.name + "' is a top-level role name"};
  if (delegation.paths.empty()) return Error{Errc::invalid_argument, "a delegation needs at least one --paths pattern"};
  if (delegation.keys.keys.empty() || delegation.keys.threshold == 0 ||
      delegation.keys.threshold > delegation.keys.keys.size())
    return Error{Errc::invalid_argument, "delegated role '" + delegation.name + "': threshold " +
                                             std::to_string(delegation.keys.threshold) + " with " +
                                             std::to_string(delegation.keys.keys.size()) + " key(s)"};
  auto keys = delegated_keys(ctx, delegation);
  if (!keys) return std::move(keys).error();
  // Keys of top-level roles may not sign for a supplier: one key, one role.
  uint64_t root_version = 0;
  auto root = latest_root(ctx.fs, repo, root_version);
  if (!root) return std::move(root).error();
  std::set<std::string> ids(keys->first.keyids.begin(), keys->first.keyids.end());
  if (ids.size() != keys->first.keyids.size())
    return Error{Errc::invalid_argument, "delegated role '" + delegation.name + "' lists a key twice"};
  for (const auto& [role, rk] : root->roles)
    for (const auto& id : rk.keyids)
      if (ids.count(id))
        return Error{Errc::invalid_argument, "key " + id.substr(0, 12) + "… serves the " + role +
                                                 " role: one key serves one role only"};
  Config next = *config;
  std::erase_if(next.delegations, [&](const DelegationConfig& d) { return d.name == delegation.name; });
  next.delegations.push_back(delegation);
  return write_text(ctx.fs, repo / "ota-repo.json", repo_config_json(next).dump(1) + "\n");
}

Result<AddReport> add_target(Context& ctx, const fs::path& repo, const AddRequest& request) {
  return add_targets(ctx, repo, {request});
}

Result<PublishReport> publish(Context& ctx, const fs::path& repo) {
  auto config = load_repo_config(ctx.fs, repo);
  if (!config) return std::move(config).error();
  return publish_with(ctx, repo, *config);
}

namespace {

Result<PublishReport> publish_with(Context& ctx, const fs::path& repo, const Config& loaded) {
  const Config* config = &loaded;
  uint64_t root_version = 0;
  auto root = latest_root(ctx.fs, repo, root_version);
  if (!root) return std::move(root).error();
  if (root->expires <= ctx.now)
    return Error{Errc::rejected, "root version " + std::to_string(root_version) + " expired on " +
                                     metadata::format_time(root->expires) + ": rotate root first"};
  RoleVersions old;  // zero when nothing is published yet (init)
  if (ctx.fs.open_input(repo / "metadata" / "timestamp.json")) {
    auto v = published_versions(ctx.fs, repo);
    if (!v) return std::move(v).error();
    old = *v;
  }
  // Every staged file must still be what was added: a file changed since is refused.
  metadata::Targets targets;
  targets.version = old.targets + 1;
  targets.expires = ctx.now + int64_t(config->roles.at("targets").expires_days * kDay);
  auto top = staged_targets(ctx, repo, "targets", config->director);
  if (!top) return std::move(top).error();
  targets.targets = std::move(*top);
  if (config->director && !config->vehicle.empty()) targets.custom = json{{"vehicle", config->vehicle}};

  // Delegated roles: their metadata, signed by their own keys, versions from the snapshot.
  std::map<std::string, metadata::MetaFile> old_meta;
  if (old.snapshot) {
    auto sn = read_envelope(ctx.fs, repo / "metadata" / (std::to_string(old.snapshot) + ".snapshot.json"));
    if (!sn) return std::move(sn).error();
    auto snap = metadata::snapshot_from_json(sn->signed_);
    if (!snap) return std::move(snap).error();
    old_meta = snap->meta;
  }
  struct DelegatedText { std::string name; uint64_t version; std::string text; };
  std::vector<DelegatedText> delegated;
  if (!config->delegations.empty()) targets.delegations.emplace();
  for (const auto& d : config->delegations) {
    auto keys = delegated_keys(ctx, d);
    if (!keys) return std::move(keys).error();
    for (auto& [id, key] : keys->second) targets.delegations->keys.emplace(id, key);
    targets.delegations->roles.push_back({d.name, keys->first, d.paths, {}, d.terminating});
    metadata::Targets role;
    auto it = old_meta.find(d.name + ".json");
    role.version = (it == old_meta.end() ? 0 : it->second.version) + 1;
    role.expires = ctx.now + int64_t(d.keys.expires_days * kDay);
    auto files = staged_targets(ctx, repo, d.name, false);
    if (!files) return std::move(files).error();
    role.targets = std::move(*files);
    auto signers = open_role(ctx, d.name, d.keys, keys->first);
    if (!signers) return std::move(signers).error();
    auto text = sign_role(*signers, metadata::to_json(std::move(role)));  // moves only the customs
    if (!text) return std::move(text).error();
    delegated.push_back({d.name, role.version, std::move(*text)});
  }

  auto targets_signers = open_role(ctx, "targets", config->roles.at("targets"), root->roles.at("targets"));
  if (!targets_signers) return std::move(targets_signers).error();
  auto snapshot_signers = open_role(ctx, "snapshot", config->roles.at("snapshot"), root->roles.at("snapshot"));
  if (!snapshot_signers) return std::move(snapshot_signers).error();
  auto timestamp_signers = open_role(ctx, "timestamp", config->roles.at("timestamp"), root->roles.at("timestamp"));
  if (!timestamp_signers) return std::move(timestamp_signers).error();

  // Sign all three before writing any, so a refused signature changes nothing.
  auto targets_text = sign_role(*targets_signers, metadata::to_json(std::move(targets)));  // moves only the customs
  if (!targets_text) return std::move(targets_text).error();
  metadata::Snapshot snapshot;
  snapshot.version = old.snapshot + 1;
  snapshot.expires = ctx.now + int64_t(config->roles.at("snapshot").expires_days * kDay);
  snapshot.meta["targets.json"] = describe(targets.version, *targets_text);
  for (const auto& d : delegated) snapshot.meta[d.name + ".json"] = describe(d.version, d.text);
  auto snapshot_text = sign_role(*snapshot_signers, metadata::to_json(snapshot));
  if (!snapshot_text) return std::move(snapshot_text).error();
  metadata::Timestamp timestamp;
  timestamp.version = old.timestamp + 1;
  timestamp.expires = ctx.now + int64_t(config->roles.at("timestamp").expires_days * kDay);
  timestamp.snapshot = describe(snapshot.version, *snapshot_text);
  auto timestamp_text = sign_role(*timestamp_signers, metadata::to_json(timestamp));
  if (!timestamp_text) return std::move(timestamp_text).error();

  std::vector<std::string> warnings;
  for (auto [name, text, limit] : {std::tuple{"targets", &*targets_text, kTargetsLimit},
                                   std::tuple{"snapshot", &*snapshot_text, kSnapshotLimit},
                                   std::tuple{"timestamp", &*timestamp_text, kTimestampLimit}}) {
    if (text->size() > limit)
      return Error{Errc::too_large, std::string(name) + " metadata would be " + std::to_string(text->size()) +
                                        " bytes, over the " + std::to_string(limit) +
                                        " clients accept: split targets into delegated roles"};
    if (text->size() * 4 > limit * 3)
      warnings.push_back(std::string(name) + " metadata is " + std::to_string(text->size()) + " bytes, " +
                         std::to_string(text->size() * 100 / limit) + " % of the " + std::to_string(limit) +
                         " clients accept");
  }

  // Bottom-up: nothing new is reachable until the timestamp names it.
  for (const auto& d : delegated)
    OTA_TRY(write_text(ctx.fs, repo / "metadata" / (std::to_string(d.version) + "." + d.name + ".json"), d.text));
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / (std::to_string(targets.version) + ".targets.json"), *targets_text));
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / (std::to_string(snapshot.version) + ".snapshot.json"), *snapshot_text));
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / "timestamp.json", *timestamp_text));
  return PublishReport{{root_version, targets.version, snapshot.version, timestamp.version, timestamp.expires},
                       targets.targets.size(), std::move(warnings)};
}

}  // namespace

Result<PublishReport> renew_timestamp(Context& ctx, const fs::path& repo) {
  auto config = load_repo_config(ctx.fs, repo);
  if (!config) return std::move(config).error();
  uint64_t root_version = 0;
  auto root = latest_root(ctx.fs, repo, root_version);
  if (!root) return std::move(root).error();
  auto v = published_versions(ctx.fs, repo);
  if (!v) return std::move(v).error();
  auto snapshot = ctx.fs.open_input(repo / "metadata" / (std::to_string(v->snapshot) + ".snapshot.json"));
  if (!snapshot) return std::move(snapshot).error();
  auto signers = open_role(ctx, "timestamp", config->roles.at("timestamp"), root->roles.at("timestamp"));
  if (!signers) return std::move(signers).error();
  metadata::Timestamp timestamp;
  timestamp.version = v->timestamp + 1;
  timestamp.expires = ctx.now + int64_t(config->roles.at("timestamp").expires_days * kDay);
  timestamp.snapshot = describe(v->snapshot, text_of((*snapshot)->bytes()));
  auto text = sign_role(*signers, metadata::to_json(timestamp));
  if (!text) return std::move(text).error();
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / "timestamp.json", *text));
  return PublishReport{{root_version, v->targets, v->snapshot, timestamp.version, timestamp.expires}, 0};
}

Result<RotateReport> rotate_root(Context& ctx, const fs::path& repo, const Config& next, bool dry_run) {
  auto current = load_repo_config(ctx.fs, repo);
  if (!current) return std::move(current).error();
  uint64_t version = 0;
  auto old_root = latest_root(ctx.fs, repo, version);
  if (!old_root) return std::move(old_root).error();
  auto keys = check_config_keys(ctx, next);
  if (!keys) return std::move(keys).error();

  metadata::Root root;
  root.version = version + 1;
  root.expires = ctx.now + int64_t(next.roles.at("root").expires_days * kDay);
  RotateReport report;
  report.new_version = root.version;
  for (const auto& name : metadata::kTopLevelRoles) {
    metadata::RoleKeys rk;
    rk.threshold = next.roles.at(name).threshold;
    for (const auto& pub : keys->at(name)) {
      std::string id = crypto::tuf_key_id(pub);
      root.keys.emplace(id, metadata::key_from_public(pub));
      rk.keyids.push_back(id);
    }
    const auto& before = old_root->roles.at(name).keyids;
    for (const auto& id : rk.keyids)
      if (std::find(before.begin(), before.end(), id) == before.end()) report.added[name].push_back(id);
    for (const auto& id : before)
      if (std::find(rk.keyids.begin(), rk.keyids.end(), id) == rk.keyids.end()) report.removed[name].push_back(id);
    if ((name == "timestamp" || name == "snapshot") && (report.added.count(name) || report.removed.count(name)))
      report.timestamp_or_snapshot_keys_changed = true;
    root.roles[name] = std::move(rk);
  }
  if (dry_run) return report;

  // A threshold of the old root keys and a threshold of the new ones must sign.
  auto old_signers = open_role(ctx, "root", current->roles.at("root"), old_root->roles.at("root"));
  if (!old_signers) return std::move(old_signers).error().with_context("root " + std::to_string(version) + "'s keys");
  auto new_signers = open_role(ctx, "root", next.roles.at("root"), root.roles.at("root"));
  if (!new_signers) return std::move(new_signers).error().with_context("root " + std::to_string(root.version) + "'s keys");
  std::vector<signer::Signer*> all;
  for (auto& s : *old_signers) all.push_back(s.get());
  for (auto& s : *new_signers) all.push_back(s.get());
  auto signed_root = metadata::sign(metadata::to_json(root), all);  // one signature per distinct key
  if (!signed_root) return std::move(signed_root).error();
  // Check both thresholds the way a client will before anything is written.
  OTA_TRY(metadata::verify_threshold(*signed_root, old_root->keys, old_root->roles.at("root"),
                                     "root " + std::to_string(root.version) + " (old root keys)"));
  OTA_TRY(metadata::verify_threshold(*signed_root, root.keys, root.roles.at("root"),
                                     "root " + std::to_string(root.version) + " (new root keys)"));
  OTA_TRY(write_text(ctx.fs, repo / "metadata" / (std::to_string(root.version) + ".root.json"),
                     metadata::serialize(*signed_root)));
  Config stored = next;
  stored.delegations = current->delegations;  // repo.yaml names the top-level roles only
  stored.director = current->director;
  stored.vehicle = current->vehicle;
  OTA_TRY(write_text(ctx.fs, repo / "ota-repo.json", repo_config_json(stored).dump(1) + "\n"));
  return report;
}

Result<void> mark_director(Context& ctx, const fs::path& repo, const std::string& vehicle) {
  auto config = load_repo_config(ctx.fs, repo);
  if (!config) return std::move(config).error();
  if (config->director && config->vehicle == vehicle) return {};
  if (!config->director && !config->delegations.empty())
    return Error{Errc::invalid_argument, "'" + repo.string() + "' has delegations: a director repository has none"};
  if (!config->vehicle.empty() && config->vehicle != vehicle)
    return Error{Errc::invalid_argument, "'" + repo.string() + "' is the director repository of vehicle '" +
                                             config->vehicle + "', not '" + vehicle + "'"};
  config->director = true;
  config->vehicle = vehicle;
  return write_text(ctx.fs, repo / "ota-repo.json", repo_config_json(*config).dump(1) + "\n");
}

Result<std::vector<RoleExpiry>> expiry_report(io::Storage& fs, const fs::path& repo) {
  std::vector<RoleExpiry> out;
  uint64_t root_version = 0;
  auto root = latest_root(fs, repo, root_version);
  if (!root) return std::move(root).error();
  out.push_back({"root", root_version, root->expires});
  auto ts = read_envelope(fs, repo / "metadata" / "timestamp.json");
  if (!ts) return std::move(ts).error();
  auto t = metadata::timestamp_from_json(ts->signed_);
  if (!t) return std::move(t).error();
  auto sn = read_envelope(fs, repo / "metadata" / (std::to_string(t->snapshot.version) + ".snapshot.json"));
  if (!sn) return std::move(sn).error();
  auto snap = metadata::snapshot_from_json(sn->signed_);
  if (!snap) return std::move(snap).error();
  for (const auto& [name, meta] : snap->meta) {
    std::string role = name.substr(0, name.size() - 5);  // "<role>.json"
    auto e = read_envelope(fs, repo / "metadata" / (std::to_string(meta.version) + "." + name));
    if (!e) return std::move(e).error();
    auto targets = metadata::targets_from_json(e->signed_);
    if (!targets) return std::move(targets).error().with_context(name);
    out.push_back({role, meta.version, targets->expires});
  }
  out.push_back({"snapshot", snap->version, snap->expires});
  out.push_back({"timestamp", t->version, t->expires});
  return out;
}

}  // namespace ota::repository
