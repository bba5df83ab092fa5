#include "crypto/tuf_key.h"

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "json/canonical_json.h"

namespace ota::crypto {
nlohmann::json tuf_key_object(const PublicKey& key) {
  switch (key.algorithm()) {
    case Algorithm::ed25519:
      return {{"keytype", "ed25519"},
              {"scheme", "ed25519"},
              {"keyval", {{"public", to_hex(key.ed25519_raw())}}}};
    case Algorithm::ecdsa_p256:
      return {{"keytype", "ecdsa"},
              {"scheme", "ecdsa-sha2-nistp256"},
              {"keyval", {{"public", key.pem()}}}};
    case Algorithm::rsa_pss_3072:
      return {{"keytype", "rsa"},
              {"scheme", key.rsa_scheme() == RsaScheme::pkcs1v15_sha256 ? "rsa-pkcs1v15-sha256" : "rsassa-pss-sha256"},
              {"keyval", {{"public", key.pem()}}}};
  }
  return {};
}

std::string_view tuf_scheme(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::ed25519: return "ed25519";
    case Algorithm::ecdsa_p256: return "ecdsa-sha2-nistp256";
    case Algorithm::rsa_pss_3072: return "rsassa-pss-sha256";
  }
  return "?";
}

std::string tuf_key_json(const PublicKey& key) {
  // Only strings and objects: canonical() cannot fail here.
  return *json::canonical(tuf_key_object(key));
}

std::string tuf_key_id(const PublicKey& key) {
  std::string text = tuf_key_json(key);
  return to_hex(sha256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
}

namespace {

// The key object itself; `metadata` widens RSA to what other TUF producers sign with.
Result<PublicKey> from_key_object(const nlohmann::json& doc, bool metadata) {
  if (!doc.is_object()) return Error{Errc::corrupt, "not a TUF key: not a JSON object"};
  auto field = [&](const nlohmann::json& obj, const char* name) -> std::string {
    auto it = obj.find(name);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string keytype = field(doc, "keytype"), scheme = field(doc, "scheme");
  auto keyval = doc.find("keyval");
  if (keyval == doc.end() || !keyval->is_object())
    return Error{Errc::corrupt, "not a TUF key: no \"keyval\" object"};
  std::string pub = field(*keyval, "public");
  if (pub.empty()) return Error{Errc::corrupt, "not a TUF key: no \"keyval\".\"public\" string"};

  Result<PublicKey> key = Error{Errc::unsupported, ""};
  Algorithm expected;
  if (keytype == "ed25519" && scheme == "ed25519") {
    auto raw = from_hex(pub);
    if (!raw) return Error{Errc::corrupt, "TUF ed25519 key: \"public\" is not hex"};
    key = PublicKey::from_ed25519(*raw);
    expected = Algorithm::ed25519;
  } else if ((keytype == "ecdsa" || keytype == "ecdsa-sha2-nistp256") &&
             scheme == "ecdsa-sha2-nistp256") {
    key = PublicKey::from_pem(pub);
    expected = Algorithm::ecdsa_p256;
  } else if (metadata && keytype == "rsa" && (scheme == "rsassa-pss-sha256" || scheme == "rsa-pkcs1v15-sha256")) {
    key = PublicKey::from_tuf_rsa_pem(pub, scheme == "rsassa-pss-sha256" ? RsaScheme::pss_sha256
                                                                         : RsaScheme::pkcs1v15_sha256);
    expected = Algorithm::rsa_pss_3072;
  } else if (keytype == "rsa" && scheme == "rsassa-pss-sha256") {
    key = PublicKey::from_pem(pub);
    expected = Algorithm::rsa_pss_3072;
  } else {
    return Error{Errc::unsupported, "TUF key type '" + keytype + "' with scheme '" + scheme +
                                        "': supported are ed25519/ed25519, ecdsa/ecdsa-sha2-nistp256, " +
                                        (metadata ? "rsa/rsassa-pss-sha256, rsa/rsa-pkcs1v15-sha256"
                                                  : "rsa/rsassa-pss-sha256")};
  }
  if (!key) return std::move(key).error().with_context("TUF key");
  if (key->algorithm() != expected)
    return Error{Errc::corrupt, "TUF key says '" + keytype + "' but holds a " +
                                    std::string(to_string(key->algorithm())) + " key"};
  return key;
}

}  // namespace

Result<PublicKey> public_key_from_tuf_json(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Error{Errc::corrupt, "not a TUF key: not a JSON object"};
  // `ota-keys public` writes {"keyid": ..., "key": {...}}: check the id it claims.
  if (auto inner = doc.find("key"); inner != doc.end() && inner->is_object()) {
    auto id = doc.find("keyid");
    auto key = from_key_object(*inner, /*metadata=*/false);
    if (!key) return key;
    if (id != doc.end() && (!id->is_string() || id->get<std::string>() != tuf_key_id(*key)))
      return Error{Errc::rejected, "TUF key: \"keyid\" does not match the key (expected " +
                                       tuf_key_id(*key) + ")"};
    return key;
  }
  return from_key_object(doc, /*metadata=*/false);
}

Result<PublicKey> public_key_from_tuf_object(const nlohmann::json& object) {
  return from_key_object(object, /*metadata=*/true);
}

}  // namespace ota::crypto
