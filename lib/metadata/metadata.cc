#include "metadata/metadata.h"

#include <type_traits>

#include <cstdio>
#include <ctime>

#include "crypto/sha256.h"
#include "crypto/tuf_key.h"

namespace ota::metadata {
namespace {

using nlohmann::json;

Error bad(const std::string& what) { return Error{Errc::corrupt, what}; }

// Field readers that name the field in their error.
Result<const json*> field(const json& obj, const char* name, json::value_t type, const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end()) return bad(where + ": missing \"" + name + "\"");
  bool ok = it->type() == type ||
            (type == json::value_t::number_unsigned && it->is_number_integer() && !it->is_number_float() &&
             it->get<int64_t>() >= 0);
  if (!ok) return bad(where + ": \"" + name + "\" has the wrong type");
  return &*it;
}

Result<uint64_t> uint_field(const json& obj, const char* name, const std::string& where) {
  auto f = field(obj, name, json::value_t::number_unsigned, where);
  if (!f) return std::move(f).error();
  return (*f)->get<uint64_t>();
}

Result<std::string> string_field(const json& obj, const char* name, const std::string& where) {
  auto f = field(obj, name, json::value_t::string, where);
  if (!f) return std::move(f).error();
  return (*f)->get<std::string>();
}

// _type, spec_version (major 1), version >= 1, expires.
struct Common {
  uint64_t version;
  Time expires;
};
Result<Common> common(const json& s, const std::string& type) {
  if (!s.is_object()) return bad(type + " metadata: \"signed\" is not an object");
  auto t = string_field(s, "_type", type);
  if (!t) return std::move(t).error();
  if (*t != type) return bad("expected " + type + " metadata, found _type \"" + *t + "\"");
  auto spec = string_field(s, "spec_version", type);
  if (!spec) return std::move(spec).error();
  if (spec->rfind("1.", 0) != 0)
    return Error{Errc::unsupported, type + " metadata: spec_version \"" + *spec + "\" is not 1.x"};
  auto version = uint_field(s, "version", type);
  if (!version) return std::move(version).error();
  if (*version == 0) return bad(type + " metadata: version 0");
  auto expires = string_field(s, "expires", type);
  if (!expires) return std::move(expires).error();
  auto when = parse_time(*expires);
  if (!when) return std::move(when).error().with_context(type + " metadata: expires");
  return Common{*version, *when};
}

Result<std::map<std::string, std::string>> hashes_from(const json& obj, const std::string& where) {
  std::map<std::string, std::string> out;
  if (!obj.is_object() || obj.empty()) return bad(where + ": \"hashes\" must be a non-empty object");
  for (const auto& [alg, value] : obj.items()) {
    if (!value.is_string()) return bad(where + ": hash \"" + alg + "\" is not a string");
    out[alg] = value.get<std::string>();
  }
  return out;
}

Result<MetaFile> metafile_from(const json& obj, const std::string& where) {
  if (!obj.is_object()) return bad(where + " is not an object");
  MetaFile m;
  auto v = uint_field(obj, "version", where);
  if (!v) return std::move(v).error();
  if (*v == 0) return bad(where + ": version 0");
  m.version = *v;
  if (obj.contains("length")) {
    auto len = uint_field(obj, "length", where);
    if (!len) return std::move(len).error();
    m.length = *len;
  }
  if (obj.contains("hashes")) {
    auto h = hashes_from(obj["hashes"], where);
    if (!h) return std::move(h).error();
    m.hashes = std::move(*h);
  }
  return m;
}

json metafile_json(const MetaFile& m) {
  json out = {{"version", m.version}};
  if (m.length) out["length"] = *m.length;
  if (!m.hashes.empty()) out["hashes"] = m.hashes;
  return out;
}

Result<RoleKeys> role_keys_from(const json& obj, const std::string& where) {
  if (!obj.is_object()) return bad(where + " is not an object");
  RoleKeys r;
  auto ids = field(obj, "keyids", json::value_t::array, where);
  if (!ids) return std::move(ids).error();
  for (const auto& id : **ids) {
    if (!id.is_string()) return bad(where + ": a key id is not a string");
    std::string s = id.get<std::string>();
    for (const auto& seen : r.keyids)
      if (seen == s) return bad(where + ": key id " + s.substr(0, 12) + "… listed twice");
    r.keyids.push_back(std::move(s));
  }
  auto threshold = uint_field(obj, "threshold", where);
  if (!threshold) return std::move(threshold).error();
  if (*threshold == 0 || *threshold > 0xffffffffull) return bad(where + ": threshold must be at least 1");
  r.threshold = uint32_t(*threshold);
  return r;
}

// TAP 15 "succinct_roles": role keys, bit_length 1..32 and name_prefix; other fields
// are ignored, as TUF allows.
Result<SuccinctRoles> succinct_roles_from(const json& obj) {
  auto rk = role_keys_from(obj, "delegations: \"succinct_roles\"");
  if (!rk) return std::move(rk).error();
  SuccinctRoles sr;
  sr.keys = std::move(*rk);
  auto bits = uint_field(obj, "bit_length", "succinct_roles");
  if (!bits) return std::move(bits).error();
  if (*bits < 1 || *bits > 32)
    return bad("succinct_roles: bit_length " + std::to_string(*bits) + " is not between 1 and 32");
  sr.bit_length = uint32_t(*bits);
  auto prefix = string_field(obj, "name_prefix", "succinct_roles");
  if (!prefix) return std::move(prefix).error();
  sr.name_prefix = std::move(*prefix);
  return sr;
}

json role_keys_json(const RoleKeys& r) { return {{"keyids", r.keyids}, {"threshold", r.threshold}}; }

Result<std::map<std::string, Key>> keys_from(const json& obj, const std::string& where) {
  if (!obj.is_object()) return bad(where + ": \"keys\" is not an object");
  std::map<std::string, Key> out;
  for (const auto& [id, value] : obj.items()) {
    auto key = key_from_json(value);
    if (!key) return std::move(key).error().with_context(where + ": key " + id.substr(0, 12) + "…");
    out.emplace(id, std::move(*key));
  }
  return out;
}

}  // namespace

std::string format_time(Time t) {
  std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Time> parse_time(const std::string& text) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char z;
  if (text.size() != 20 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z' ||
      text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || mo < 1 ||
      mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return bad("\"" + text + "\" is not a UTC time as YYYY-MM-DDTHH:MM:SSZ");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return Time(timegm(&tm));
}

Key key_from_public(const crypto::PublicKey& key) { return Key{crypto::tuf_key_object(key), key}; }

Result<Key> key_from_json(const json& object) {
  if (!object.is_object()) return bad("a key is not an object");
  for (const char* name : {"keytype", "scheme"})
    if (!object.contains(name) || !object[name].is_string()) return bad(std::string("a key has no \"") + name + "\"");
  if (!object.contains("keyval") || !object["keyval"].is_object()) return bad("a key has no \"keyval\"");
  Key k{object, std::nullopt};
  // A key type we do not know stays in the root (it is signed data) but can verify nothing.
  // Not public_key_from_tuf_json: a key object with an extra field "key" is not the
  // `ota-keys public` wrapper.
  if (auto pub = crypto::public_key_from_tuf_object(object)) k.public_key = std::move(*pub);
  return k;
}

Result<void> check_role_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos ||
      name.find('%') != std::string::npos || name.find('\0') != std::string::npos)
    return Error{Errc::invalid_argument, "role name '" + name + "': no '/', '..', '%' or NUL, not empty"};
  return {};
}

Result<void> check_target_path(const std::string& path) {
  bool bad_path = path.empty() || path.front() == '/' || path.find('\0') != std::string::npos ||
                  path.find('\\') != std::string::npos;
  size_t start = 0;
  while (!bad_path && start <= path.size()) {
    size_t end = path.find('/', start);
    std::string seg = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty() || seg == "." || seg == "..") bad_path = true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (bad_path)
    return Error{Errc::invalid_argument,
                 "target path '" + path + "' must be relative, without '.', '..' or empty segments"};
  return {};
}

json to_json(const Root& r) {
  json keys = json::object(), roles = json::object();
  for (const auto& [id, key] : r.keys) keys[id] = key.object;
  for (const auto& [name, rk] : r.roles) roles[name] = role_keys_json(rk);
  return {{"_type", "root"},          {"spec_version", kSpecVersion}, {"version", r.version},
          {"expires", format_time(r.expires)}, {"consistent_snapshot", r.consistent_snapshot},
          {"keys", keys},             {"roles", roles}};
}

namespace {
// Builds in place and moves: a targets role of 10,000 entries is megabytes of JSON,
// and every copy of it shows in publish time.
template <class TargetsRef>
json targets_json(TargetsRef&& t) {
  json out = {{"_type", "targets"}, {"spec_version", kSpecVersion}, {"version", t.version},
              {"expires", format_time(t.expires)}};
  json& targets = out["targets"] = json::object();
  for (auto& [path, file] : t.targets) {
    json& entry = targets[path];
    entry["length"] = file.length;
    entry["hashes"] = file.hashes;
    if (file.custom) {
      if constexpr (std::is_const_v<std::remove_reference_t<decltype(file)>>)
        entry["custom"] = *file.custom;
      else
        entry["custom"] = std::move(*file.custom);
    }
  }
  if (t.delegations) {
    json keys = json::object(), roles = json::array();
    for (const auto& [id, key] : t.delegations->keys) keys[id] = key.object;
    for (const auto& role : t.delegations->roles) {
      json r = role_keys_json(role.keys);
      r["name"] = role.name;
      r["terminating"] = role.terminating;
      if (!role.path_hash_prefixes.empty()) r["path_hash_prefixes"] = role.path_hash_prefixes;
      else r["paths"] = role.paths;
      roles.push_back(std::move(r));
    }
    json& d = out["delegations"];
    d["keys"] = std::move(keys);
    if (const auto& succinct = t.delegations->succinct) {
      json sr = role_keys_json(succinct->keys);
      sr["bit_length"] = succinct->bit_length;
      sr["name_prefix"] = succinct->name_prefix;
      d["succinct_roles"] = std::move(sr);
    } else {
      d["roles"] = std::move(roles);
    }
  }
  if (t.custom) out["custom"] = *t.custom;
  return out;
}
}  // namespace

json to_json(const Targets& t) { return targets_json(t); }
json to_json(Targets&& t) { return targets_json(t); }

json to_json(const Snapshot& s) {
  json meta = json::object();
  for (const auto& [name, m] : s.meta) meta[name] = metafile_json(m);
  return {{"_type", "snapshot"}, {"spec_version", kSpecVersion}, {"version", s.version},
          {"expires", format_time(s.expires)}, {"meta", meta}};
}

json to_json(const Timestamp& t) {
  return {{"_type", "timestamp"}, {"spec_version", kSpecVersion}, {"version", t.version},
          {"expires", format_time(t.expires)}, {"meta", {{"snapshot.json", metafile_json(t.snapshot)}}}};
}

Result<Root> root_from_json(const json& s) {
  auto c = common(s, "root");
  if (!c) return std::move(c).error();
  Root r;
  r.version = c->version;
  r.expires = c->expires;
  // OPTIONAL in TUF 1.0 §4.3; absent means false (as tuf-js and python-tuf read it).
  r.consistent_snapshot = false;
  if (s.contains("consistent_snapshot")) {
    auto cs = field(s, "consistent_snapshot", json::value_t::boolean, "root");
    if (!cs) return std::move(cs).error();
    r.consistent_snapshot = (*cs)->get<bool>();
  }
  auto keys = field(s, "keys", json::value_t::object, "root");
  if (!keys) return std::move(keys).error();
  auto parsed = keys_from(**keys, "root");
  if (!parsed) return std::move(parsed).error();
  r.keys = std::move(*parsed);
  auto roles = field(s, "roles", json::value_t::object, "root");
  if (!roles) return std::move(roles).error();
  for (const auto& name : kTopLevelRoles) {
    auto it = (*roles)->find(name);
    if (it == (*roles)->end()) return bad("root metadata: no \"" + name + "\" role");
    auto rk = role_keys_from(*it, "root role \"" + name + "\"");
    if (!rk) return std::move(rk).error();
    r.roles[name] = std::move(*rk);
  }
  return r;
}

namespace {

// "delegations": keys and exactly one of "roles" (in search order) and TAP 15
// "succinct_roles".
Result<Delegations> delegations_from(const json& d) {
  if (!d.is_object()) return bad("targets: \"delegations\" is not an object");
  Delegations del;
  auto keys = field(d, "keys", json::value_t::object, "delegations");
  if (!keys) return std::move(keys).error();
  auto parsed = keys_from(**keys, "delegations");
  if (!parsed) return std::move(parsed).error();
  del.keys = std::move(*parsed);
  if (d.contains("roles") == d.contains("succinct_roles"))
    return bad("delegations: exactly one of \"roles\" and \"succinct_roles\"");
  if (d.contains("succinct_roles")) {
    auto succinct = succinct_roles_from(d["succinct_roles"]);
    if (!succinct) return std::move(succinct).error();
    del.succinct = std::move(*succinct);
    return del;
  }
  auto roles = field(d, "roles", json::value_t::array, "delegations");
  if (!roles) return std::move(roles).error();
  for (const auto& role : **roles) {
    if (!role.is_object()) return bad("delegations: a role is not an object");
    DelegatedRole dr;
    auto name = string_field(role, "name", "delegated role");
    if (!name) return std::move(name).error();
    dr.name = *name;
    // Any other name is allowed here (the client quotes it for URLs and files), but a
    // top-level one would be stored over the trusted file of that name (tuf-js refuses too).
    for (const auto& top : kTopLevelRoles)
      if (dr.name == top) return bad("delegations: a delegated role may not be named \"" + top + "\"");
    for (const auto& seen : del.roles)
      if (seen.name == dr.name) return bad("delegations: role \"" + dr.name + "\" listed twice");
    auto rk = role_keys_from(role, "delegated role \"" + dr.name + "\"");
    if (!rk) return std::move(rk).error();
    dr.keys = std::move(*rk);
    auto term = field(role, "terminating", json::value_t::boolean, "delegated role \"" + dr.name + "\"");
    if (!term) return std::move(term).error();
    dr.terminating = (*term)->get<bool>();
    bool has_paths = role.contains("paths"), has_prefixes = role.contains("path_hash_prefixes");
    if (has_paths == has_prefixes)
      return bad("delegated role \"" + dr.name + "\": exactly one of \"paths\" and \"path_hash_prefixes\"");
    const json& list = has_paths ? role["paths"] : role["path_hash_prefixes"];
    if (!list.is_array()) return bad("delegated role \"" + dr.name + "\": paths must be an array");
    for (const auto& p : list) {
      if (!p.is_string()) return bad("delegated role \"" + dr.name + "\": a path is not a string");
      (has_paths ? dr.paths : dr.path_hash_prefixes).push_back(p.get<std::string>());
    }
    del.roles.push_back(std::move(dr));
  }
  return del;
}

}  // namespace

Result<Targets> targets_from_json(const json& s) {
  auto c = common(s, "targets");
  if (!c) return std::move(c).error();
  Targets t;
  t.version = c->version;
  t.expires = c->expires;
  auto targets = field(s, "targets", json::value_t::object, "targets");
  if (!targets) return std::move(targets).error();
  for (const auto& [path, entry] : (*targets)->items()) {
    const std::string where = "target '" + path + "'";
    if (!entry.is_object()) return bad(where + " is not an object");
    TargetFile f;
    auto len = uint_field(entry, "length", where);
    if (!len) return std::move(len).error();
    f.length = *len;
    auto hashes = field(entry, "hashes", json::value_t::object, where);
    if (!hashes) return std::move(hashes).error();
    auto h = hashes_from(**hashes, where);
    if (!h) return std::move(h).error();
    f.hashes = std::move(*h);
    if (entry.contains("custom")) f.custom = entry["custom"];
    t.targets.emplace(path, std::move(f));
  }
  if (s.contains("custom")) {
    if (!s["custom"].is_object()) return bad("targets: \"custom\" is not an object");
    t.custom = s["custom"];
  }
  if (s.contains("delegations")) {
    auto del = delegations_from(s["delegations"]);
    if (!del) return std::move(del).error();
    t.delegations = std::move(*del);
  }
  return t;
}

Result<Snapshot> snapshot_from_json(const json& s) {
  auto c = common(s, "snapshot");
  if (!c) return std::move(c).error();
  Snapshot snap;
  snap.version = c->version;
  snap.expires = c->expires;
  auto meta = field(s, "meta", json::value_t::object, "snapshot");
  if (!meta) return std::move(meta).error();
  for (const auto& [name, entry] : (*meta)->items()) {
    auto m = metafile_from(entry, "snapshot meta \"" + name + "\"");
    if (!m) return std::move(m).error();
    snap.meta.emplace(name, std::move(*m));
  }
  return snap;
}

Result<Timestamp> timestamp_from_json(const json& s) {
  auto c = common(s, "timestamp");
  if (!c) return std::move(c).error();
  Timestamp t;
  t.version = c->version;
  t.expires = c->expires;
  auto meta = field(s, "meta", json::value_t::object, "timestamp");
  if (!meta) return std::move(meta).error();
  auto it = (*meta)->find("snapshot.json");
  if (it == (*meta)->end()) return bad("timestamp metadata: no meta \"snapshot.json\"");
  auto m = metafile_from(*it, "timestamp meta \"snapshot.json\"");
  if (!m) return std::move(m).error();
  t.snapshot = std::move(*m);
  return t;
}

std::string SuccinctRoles::bin_for(const std::string& target_path) const {
  const auto h = crypto::sha256(ByteView(reinterpret_cast<const uint8_t*>(target_path.data()), target_path.size()));
  const uint32_t first = uint32_t(h[0]) << 24 | uint32_t(h[1]) << 16 | uint32_t(h[2]) << 8 | uint32_t(h[3]);
  const uint32_t bin = bit_length >= 32 ? first : first >> (32 - bit_length);
  const int width = int((bit_length + 3) / 4);  // hex digits of 2^bit_length - 1
  char hex[16];
  std::snprintf(hex, sizeof hex, "%0*x", width, bin);
  return name_prefix + "-" + hex;
}

bool SuccinctRoles::is_bin(const std::string& role) const {
  const std::string head = name_prefix + "-";
  const size_t width = (bit_length + 3) / 4;
  if (role.size() != head.size() + width || role.compare(0, head.size(), head) != 0) return false;
  uint64_t value = 0;
  for (size_t i = head.size(); i < role.size(); ++i) {
    const char c = role[i];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    value = value << 4 | uint64_t(digit);
  }
  return value < (uint64_t(1) << bit_length);
}

}  // namespace ota::metadata
