#include "metadata/envelope.h"

#include <set>

#include "core/hex.h"
#include "json/canonical_json.h"

namespace ota::metadata {
namespace {

using nlohmann::json;

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

Result<Envelope> parse_envelope(ByteView bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes)
    return Error{Errc::too_large, "metadata of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                                      std::to_string(max_bytes)};
  json doc = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{Errc::corrupt, "metadata is not valid JSON"};
  // Other top-level fields are ignored, as tuf-js does: TUF allows unknown fields and
  // nothing outside "signed" is signed anyway.
  if (!doc.is_object() || !doc.contains("signed") || !doc.contains("signatures"))
    return Error{Errc::corrupt, "metadata must be an object with \"signed\" and \"signatures\""};
  if (!doc["signed"].is_object()) return Error{Errc::corrupt, "metadata: \"signed\" is not an object"};
  if (!doc["signatures"].is_array()) return Error{Errc::corrupt, "metadata: \"signatures\" is not an array"};
  Envelope e;
  e.signed_ = std::move(doc["signed"]);
  std::set<std::string> seen;
  for (const auto& sig : doc["signatures"]) {
    if (!sig.is_object() || !sig.contains("keyid") || !sig["keyid"].is_string() || !sig.contains("sig") ||
        !sig["sig"].is_string())
      return Error{Errc::corrupt, "metadata: a signature is not {\"keyid\", \"sig\"} strings"};
    Signature s{sig["keyid"].get<std::string>(), sig["sig"].get<std::string>()};
    // Two signatures under one key id would let a verifier count one key twice.
    if (!seen.insert(s.keyid).second)
      return Error{Errc::rejected, "metadata: two signatures with key id " + s.keyid.substr(0, 12) + "…"};
    e.signatures.push_back(std::move(s));
  }
  return e;
}

namespace {

bool has_control_character(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20) return true;
  return false;
}

// The file: {"signatures":[...],"signed":...} as canonical JSON, which is ordinary
// JSON too unless a string holds a control character (canonical JSON leaves those
// raw); then the same document with them escaped.
std::string assemble(const std::vector<Signature>& signatures, const std::string* canonical_signed,
                     const json& signed_) {
  json sigs = json::array();
  for (const auto& s : signatures) sigs.push_back({{"keyid", s.keyid}, {"sig", s.sig}});
  auto sigs_text = ota::json::canonical(sigs);
  if (canonical_signed && sigs_text && !has_control_character(*sigs_text) &&
      !has_control_character(*canonical_signed))
    return "{\"signatures\":" + *sigs_text + ",\"signed\":" + *canonical_signed + "}\n";
  json doc = {{"signatures", sigs}, {"signed", signed_}};
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string serialize(const Envelope& e) {
  auto text = ota::json::canonical(e.signed_);
  return assemble(e.signatures, text ? &*text : nullptr, e.signed_);
}

namespace {

// One signature per distinct key over the canonical bytes.
Result<std::vector<Signature>> sign_bytes(const std::string& bytes, const std::vector<signer::Signer*>& signers) {
  std::vector<Signature> signatures;
  std::set<std::string> ids;
  for (signer::Signer* s : signers) {
    std::string id = s->key_id();
    if (!ids.insert(id).second) continue;
    auto sig = s->sign(view(bytes));
    if (!sig) return std::move(sig).error();
    signatures.push_back({id, to_hex(*sig)});
  }
  return signatures;
}

}  // namespace

Result<std::string> sign_and_serialize(const json& signed_, const std::vector<signer::Signer*>& signers) {
  auto bytes = ota::json::canonical(signed_);
  if (!bytes) return std::move(bytes).error();
  auto signatures = sign_bytes(*bytes, signers);
  if (!signatures) return std::move(signatures).error();
  return assemble(*signatures, &*bytes, signed_);
}

Result<Envelope> sign(const json& signed_, const std::vector<signer::Signer*>& signers) {
  auto bytes = ota::json::canonical(signed_);
  if (!bytes) return std::move(bytes).error();
  auto signatures = sign_bytes(*bytes, signers);
  if (!signatures) return std::move(signatures).error();
  return Envelope{signed_, std::move(*signatures)};
}

Result<ThresholdResult> count_signatures(const Envelope& envelope, const std::map<std::string, Key>& keys,
                                         const RoleKeys& role) {
  auto bytes = ota::json::canonical(envelope.signed_);
  if (!bytes) return Error{Errc::corrupt, "metadata: " + bytes.error().message};
  std::set<std::string> counted;  // hex SubjectPublicKeyInfo of each key that signed validly
  for (const auto& sig : envelope.signatures) {
    bool authorised = false;
    for (const auto& id : role.keyids) authorised = authorised || id == sig.keyid;
    if (!authorised) continue;
    auto key = keys.find(sig.keyid);
    if (key == keys.end() || !key->second.public_key) continue;
    auto raw = from_hex(sig.sig);
    if (!raw) continue;
    if (key->second.public_key->verify(view(*bytes), *raw)) counted.insert(to_hex(key->second.public_key->spki_der()));
  }
  return ThresholdResult{uint32_t(counted.size()), role.threshold};
}

Result<void> verify_threshold(const Envelope& envelope, const std::map<std::string, Key>& keys,
                              const RoleKeys& role, const std::string& role_name) {
  auto count = count_signatures(envelope, keys, role);
  if (!count) return std::move(count).error();
  if (count->valid < count->threshold)
    return Error{Errc::rejected, role_name + " metadata has " + std::to_string(count->valid) + " valid signature" +
                                     (count->valid == 1 ? "" : "s") + " of the " + std::to_string(count->threshold) +
                                     " its role requires"};
  return {};
}

}  // namespace ota::metadata
