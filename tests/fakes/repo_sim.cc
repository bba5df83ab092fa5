#include "fakes/repo_sim.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "crypto/tuf_key.h"
#include "metadata/envelope.h"

namespace ota::testing {
namespace {

using nlohmann::json;
constexpr metadata::Time kDay = 86400;

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string hex_digest(const std::string& alg, const std::string& bytes) {
  auto d = crypto::digest_by_name(alg, view(bytes));
  if (!d) throw std::runtime_error("repo_sim: " + d.error().message);
  return to_hex(*d);
}

json new_targets(metadata::Time expires, uint64_t version) {
  return {{"_type", "targets"}, {"spec_version", metadata::kSpecVersion}, {"version", version},
          {"expires", metadata::format_time(expires)}, {"targets", json::object()}};
}

}  // namespace

SimKey make_sim_key() {
  auto signer = std::make_shared<FakeSigner>(crypto::Algorithm::ed25519);
  return {signer, crypto::tuf_key_id(signer->public_key()), crypto::tuf_key_object(signer->public_key())};
}

RepoSim::RepoSim(metadata::Time now_) : now(now_) {
  const std::string expires = metadata::format_time(now + 30 * kDay);
  mds["root"] = {{"_type", "root"},       {"spec_version", metadata::kSpecVersion}, {"version", 1},
                 {"expires", expires},    {"consistent_snapshot", true},            {"keys", json::object()},
                 {"roles", json::object()}};
  for (const auto& role : metadata::kTopLevelRoles) {
    signers[role] = {make_sim_key()};
    set_role_keys(role, signers[role], 1);
  }
  mds["timestamp"] = {{"_type", "timestamp"}, {"spec_version", metadata::kSpecVersion}, {"version", 1},
                      {"expires", expires},   {"meta", {{"snapshot.json", {{"version", 1}}}}}};
  mds["snapshot"] = {{"_type", "snapshot"}, {"spec_version", metadata::kSpecVersion}, {"version", 1},
                     {"expires", expires},  {"meta", {{"targets.json", {{"version", 1}}}}}};
  mds["targets"] = new_targets(now + 30 * kDay, 1);
  publish({"root", "targets", "snapshot", "timestamp"}, false);
}

std::string RepoSim::sign(const json& signed_, const std::vector<SimKey>& keys) const {
  std::vector<signer::Signer*> raw;
  for (const auto& k : keys) raw.push_back(k.signer.get());
  auto e = metadata::sign(signed_, raw);
  if (!e) throw std::runtime_error("repo_sim: signing: " + e.error().message);
  return metadata::serialize(*e);
}

void RepoSim::publish_one(const std::string& role, uint64_t url_version, const std::string& bytes) {
  published[role][url_version] = bytes;
  current[role] = bytes;
  if (role == "root" || role == "timestamp") return;
  json meta = {{"version", url_version}};
  if (with_hashes_and_length) {
    meta["length"] = bytes.size();
    meta["hashes"] = {{"sha256", hex_digest("sha256", bytes)}};
  }
  if (role == "snapshot")
    mds["timestamp"]["meta"]["snapshot.json"] = meta;
  else
    mds["snapshot"]["meta"][role + ".json"] = meta;
}

void RepoSim::publish(const std::vector<std::string>& roles, bool bump) {
  for (const auto& role : roles) {
    if (bump) set_version(role, version(role) + 1);
    publish_one(role, version(role), sign(role));
  }
}

void RepoSim::publish_as(const std::string& role, uint64_t url_version) { publish_one(role, url_version, sign(role)); }

void RepoSim::set_expires(const std::string& role, metadata::Time t) { mds.at(role)["expires"] = metadata::format_time(t); }

void RepoSim::set_role_keys(const std::string& role, const std::vector<SimKey>& keys, uint32_t threshold) {
  json& root = mds.at("root");
  json ids = json::array();
  for (const auto& k : keys) {
    ids.push_back(k.id);
    root["keys"][k.id] = k.object;
  }
  root["roles"][role] = {{"keyids", ids}, {"threshold", threshold}};
  std::set<std::string> used;
  for (const auto& [name, r] : root["roles"].items())
    for (const auto& id : r["keyids"]) used.insert(id.get<std::string>());
  for (auto it = root["keys"].begin(); it != root["keys"].end();) {
    if (used.count(it.key()))
      ++it;
    else
      it = root["keys"].erase(it);
  }
}

SimKey RepoSim::add_key(const std::string& role) {
  SimKey k = make_sim_key();
  json& root = mds.at("root");
  root["keys"][k.id] = k.object;
  root["roles"][role]["keyids"].push_back(k.id);
  signers[role].push_back(k);
  return k;
}

void RepoSim::rotate_keys(const std::string& role) {
  const uint32_t threshold = mds.at("root")["roles"][role]["threshold"].get<uint32_t>();
  std::vector<SimKey> keys;
  for (uint32_t i = 0; i < threshold; ++i) keys.push_back(make_sim_key());
  set_role_keys(role, keys, threshold);
  signers[role] = keys;
}

void RepoSim::add_delegation(const std::string& delegator, const std::string& role, SimDelegation d) {
  std::vector<SimKey>& role_signers = signers[role];
  std::vector<SimKey> keys = d.keys;
  if (keys.empty()) {
    if (role_signers.empty()) role_signers.push_back(make_sim_key());
    keys = role_signers;
  } else if (role_signers.empty()) {
    role_signers = keys;
  }
  json& del = mds.at(delegator)["delegations"];
  if (del.is_null()) del = {{"keys", json::object()}, {"roles", json::array()}};
  json ids = json::array();
  for (const auto& k : keys) {
    del["keys"][k.id] = k.object;
    ids.push_back(k.id);
  }
  json entry = {{"name", role}, {"keyids", ids}, {"threshold", d.threshold}, {"terminating", d.terminating}};
  if (!d.path_hash_prefixes.empty())
    entry["path_hash_prefixes"] = d.path_hash_prefixes;
  else
    entry["paths"] = d.paths;
  del["roles"].push_back(entry);
  if (!mds.count(role)) mds[role] = new_targets(now + 30 * kDay, 0);
}

std::vector<std::string> RepoSim::add_succinct_roles(const std::string& delegator, uint32_t bit_length,
                                                     const std::string& name_prefix) {
  SimKey k = make_sim_key();
  mds.at(delegator)["delegations"] = {
      {"keys", {{k.id, k.object}}},
      {"succinct_roles",
       {{"keyids", {k.id}}, {"threshold", 1}, {"bit_length", bit_length}, {"name_prefix", name_prefix}}}};
  std::vector<std::string> names;
  const int width = int((bit_length + 3) / 4);
  for (uint64_t i = 0; i < (uint64_t(1) << bit_length); ++i) {
    std::ostringstream hex;
    hex << std::hex << std::setw(width) << std::setfill('0') << i;
    const std::string name = name_prefix + "-" + hex.str();
    mds[name] = new_targets(now + 30 * kDay, 0);
    signers[name] = {k};
    names.push_back(name);
  }
  return names;
}

void RepoSim::add_target(const std::string& role, const std::string& path, const std::string& bytes,
                         const std::vector<std::string>& algorithms) {
  Artifact a{bytes, {}};
  for (const auto& alg : algorithms) a.hashes[alg] = hex_digest(alg, bytes);
  mds.at(role)["targets"][path] = {{"length", bytes.size()}, {"hashes", a.hashes}};
  artifacts[path] = std::move(a);
}

Result<Bytes> MemRepoSource::fetch_metadata(const std::string& name, size_t max) {
  names.push_back(name);
  max_bytes[name] = max;
  const std::string suffix = ".json";
  std::string stem = name;
  if (stem.size() >= suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    stem.resize(stem.size() - suffix.size());
  std::string role = stem;
  std::optional<uint64_t> version;
  // "N.root.json" always; "V.ROLE.json" under consistent snapshots; "timestamp.json" never.
  const size_t dot = stem.find('.');
  if (dot != std::string::npos && dot > 0 && dot <= 19 &&
      std::all_of(stem.begin(), stem.begin() + long(dot), [](char c) { return c >= '0' && c <= '9'; })) {
    const std::string rest = stem.substr(dot + 1);
    if (rest == "root" || (sim_.consistent_snapshot() && rest != "timestamp")) {
      version = std::stoull(stem.substr(0, dot));
      role = rest;
    }
  }
  requests.emplace_back(role, version);

  if (auto f = fail.find(name); f != fail.end()) return f->second;
  if (endless.count(name)) return Error{Errc::too_large, "'" + name + "' never ends"};
  std::string body;
  if (auto s = substitute.find(name); s != substitute.end()) {
    body = s->second;
  } else {
    auto p = sim_.published.find(role);
    if (p == sim_.published.end()) return Error{Errc::not_found, "404 " + name};
    if (version) {
      auto v = p->second.find(*version);
      if (v == p->second.end()) return Error{Errc::not_found, "404 " + name};
      body = v->second;
    } else {
      body = sim_.current.at(role);
    }
  }
  if (body.size() > max) return Error{Errc::too_large, "'" + name + "' is longer than " + std::to_string(max)};
  return Bytes(body.begin(), body.end());
}

Result<std::string> MemRepoSource::target_bytes(const std::string& path) {
  target_requests.push_back(path);
  if (auto f = fail.find(path); f != fail.end()) return f->second;
  if (auto s = substitute.find(path); s != substitute.end()) return s->second;
  if (!sim_.consistent_snapshot()) {
    auto it = sim_.artifacts.find(path);
    if (it == sim_.artifacts.end()) return Error{Errc::not_found, "404 " + path};
    return it->second.bytes;
  }
  // "dir/HASH.name": any hash the artifact is listed with names it.
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.find('.', base);
  if (dot == std::string::npos) return Error{Errc::not_found, "404 " + path};
  const std::string hash = path.substr(base, dot - base);
  auto it = sim_.artifacts.find(path.substr(0, base) + path.substr(dot + 1));
  if (it == sim_.artifacts.end()) return Error{Errc::not_found, "404 " + path};
  for (const auto& [alg, value] : it->second.hashes)
    if (value == hash) return it->second.bytes;
  return Error{Errc::not_found, "404 " + path};
}

Result<Bytes> MemRepoSource::fetch_target(const std::string& path, size_t max) {
  if (endless.count(path)) {
    target_requests.push_back(path);
    return Error{Errc::too_large, "'" + path + "' never ends"};
  }
  auto body = target_bytes(path);
  if (!body) return std::move(body).error();
  if (body->size() > max) return Error{Errc::too_large, "'" + path + "' is longer than " + std::to_string(max)};
  return Bytes(body->begin(), body->end());
}

Result<Bytes> MemRepoSource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  auto body = target_bytes(path);
  if (!body) return std::move(body).error();
  if (offset > body->size()) return Error{Errc::invalid_argument, "offset past the end of '" + path + "'"};
  const size_t n = std::min<size_t>(length, body->size() - size_t(offset));
  return Bytes(body->begin() + long(offset), body->begin() + long(offset + n));
}

std::vector<std::pair<std::string, uint64_t>> trusted_roles(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    json doc = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
    uint64_t version = 0;
    if (doc.is_object() && doc.contains("signed") && doc["signed"].is_object() && doc["signed"].contains("version") &&
        doc["signed"]["version"].is_number_unsigned())
      version = doc["signed"]["version"].get<uint64_t>();
    out.emplace_back(name.substr(0, name.size() - 5), version);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ota::testing
