// Key objects: lookup, decoding of public halves, generation and signing.
#include <openssl/rand.h>

#include <cstring>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "pkcs11/objects.h"

namespace ota::pkcs11 {
namespace {

// DER encodings of the curves: OID prime256v1, OID id-Ed25519 (RFC 8410), and the
// PrintableString "edwards25519" that pkcs11-tool writes (PKCS#11 3.0 allows both).
const uint8_t kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const uint8_t kEd25519Oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
const uint8_t kEd25519Name[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'};

bool equals(const Bytes& a, ByteView b) { return a.size() == b.size() && std::memcmp(a.data(), b.data(), b.size()) == 0; }

const CK_BBOOL kTrue = CK_TRUE, kFalse = CK_FALSE;

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, const void* value, size_t len) {
  return CK_ATTRIBUTE{type, const_cast<void*>(value), CK_ULONG(len)};
}
CK_ATTRIBUTE flag(CK_ATTRIBUTE_TYPE type, bool value) {
  return attr(type, value ? &kTrue : &kFalse, sizeof(CK_BBOOL));
}

std::optional<bool> bool_attribute(Token::Impl& d, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type) {
  auto v = get_attribute(d, h, type);
  if (!v || v->size() != sizeof(CK_BBOOL)) return std::nullopt;
  return (*v)[0] != CK_FALSE;
}

std::optional<CK_ULONG> ulong_attribute(Token::Impl& d, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type) {
  auto v = get_attribute(d, h, type);
  if (!v || v->size() != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG out;
  std::memcpy(&out, v->data(), sizeof out);
  return out;
}

std::string key_type_name(CK_KEY_TYPE type) {
  switch (type) {
    case CKK_EC: return "ec";
    case CKK_EC_EDWARDS: return "ec-edwards";
    case CKK_RSA: return "rsa";
    default: return "CKK_0x" + to_hex(Bytes{uint8_t(type >> 8), uint8_t(type)});
  }
}

// Which of our algorithms a key object is, from its type and domain parameters.
std::optional<crypto::Algorithm> algorithm_of(Token::Impl& d, CK_OBJECT_HANDLE h, CK_KEY_TYPE type) {
  if (type == CKK_EC || type == CKK_EC_EDWARDS) {
    auto params = get_attribute(d, h, CKA_EC_PARAMS);
    if (!params) return std::nullopt;
    if (type == CKK_EC && equals(*params, kP256Oid)) return crypto::Algorithm::ecdsa_p256;
    if (type == CKK_EC_EDWARDS && (equals(*params, kEd25519Oid) || equals(*params, kEd25519Name)))
      return crypto::Algorithm::ed25519;
    return std::nullopt;
  }
  if (type == CKK_RSA) {
    auto modulus = get_attribute(d, h, CKA_MODULUS);
    size_t bits = 0;
    if (modulus) {
      size_t i = 0;
      while (i < modulus->size() && (*modulus)[i] == 0) ++i;
      bits = (modulus->size() - i) * 8;
    } else if (auto b = ulong_attribute(d, h, CKA_MODULUS_BITS)) {
      bits = *b;
    }
    if (bits == 3072) return crypto::Algorithm::rsa_pss_3072;
  }
  return std::nullopt;
}

Result<crypto::PublicKey> decode_public(Token::Impl& d, CK_OBJECT_HANDLE h, crypto::Algorithm alg) {
  switch (alg) {
    case crypto::Algorithm::ed25519: {
      auto point = get_attribute(d, h, CKA_EC_POINT);
      if (!point) return std::move(point).error();
      return crypto::PublicKey::from_ed25519(unwrap_ec_point(*point, 32));
    }
    case crypto::Algorithm::ecdsa_p256: {
      auto point = get_attribute(d, h, CKA_EC_POINT);
      if (!point) return std::move(point).error();
      return crypto::PublicKey::from_p256_point(unwrap_ec_point(*point, 65));
    }
    case crypto::Algorithm::rsa_pss_3072: {
      auto n = get_attribute(d, h, CKA_MODULUS);
      if (!n) return std::move(n).error();
      auto e = get_attribute(d, h, CKA_PUBLIC_EXPONENT);
      if (!e) return std::move(e).error();
      return crypto::PublicKey::from_rsa(*n, *e);
    }
  }
  return Error{Errc::unsupported, "unknown algorithm"};
}

std::string describe_selector(const Uri& uri) {
  std::string s;
  if (uri.object_label) s += "object=" + *uri.object_label;
  if (uri.object_id) s += std::string(s.empty() ? "" : ";") + "id=" + to_hex(*uri.object_id);
  return s;
}

}  // namespace

Bytes unwrap_ec_point(const Bytes& value, size_t point_size) {
  if (value.size() == point_size + 2 && value[0] == 0x04 && value[1] == point_size)
    return Bytes(value.begin() + 2, value.end());
  return value;
}

Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Token::Impl& d, CK_OBJECT_CLASS cls,
                                                   const std::string* label, const Bytes* id) {
  std::vector<CK_ATTRIBUTE> tmpl{attr(CKA_CLASS, &cls, sizeof cls)};
  if (label) tmpl.push_back(attr(CKA_LABEL, label->data(), label->size()));
  if (id) tmpl.push_back(attr(CKA_ID, id->data(), id->size()));
  CK_RV rv = d.fn->C_FindObjectsInit(d.session, tmpl.data(), tmpl.size());
  if (rv != CKR_OK) return d.error("searching objects", rv);
  std::vector<CK_OBJECT_HANDLE> out;
  for (;;) {
    CK_OBJECT_HANDLE batch[32];
    CK_ULONG n = 0;
    rv = d.fn->C_FindObjects(d.session, batch, 32, &n);
    if (rv != CKR_OK || n == 0) break;
    out.insert(out.end(), batch, batch + n);
  }
  d.fn->C_FindObjectsFinal(d.session);
  if (rv != CKR_OK) return d.error("searching objects", rv);
  return out;
}

Result<Bytes> get_attribute(Token::Impl& d, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = d.fn->C_GetAttributeValue(d.session, object, &a, 1);
  if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
    return d.error("reading attribute 0x" + to_hex(Bytes{uint8_t(type >> 8), uint8_t(type)}),
                   rv == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : rv);
  Bytes value(a.ulValueLen);
  a.pValue = value.data();
  rv = d.fn->C_GetAttributeValue(d.session, object, &a, 1);
  if (rv != CKR_OK) return d.error("reading attribute", rv);
  value.resize(a.ulValueLen);
  return value;
}

Result<KeyInfo> describe_key(Token::Impl& d, CK_OBJECT_HANDLE h, bool is_private) {
  KeyInfo k;
  k.handle = h;
  k.is_private = is_private;
  if (auto label = get_attribute(d, h, CKA_LABEL)) k.label.assign(label->begin(), label->end());
  if (auto id = get_attribute(d, h, CKA_ID)) k.id = *id;
  auto type = ulong_attribute(d, h, CKA_KEY_TYPE);
  k.key_type = type ? key_type_name(*type) : "unknown";
  if (type) k.algorithm = algorithm_of(d, h, *type);
  if (is_private) {
    k.sign = bool_attribute(d, h, CKA_SIGN);
    k.decrypt = bool_attribute(d, h, CKA_DECRYPT);
    k.unwrap = bool_attribute(d, h, CKA_UNWRAP);
    k.sensitive = bool_attribute(d, h, CKA_SENSITIVE);
    k.extractable = bool_attribute(d, h, CKA_EXTRACTABLE);
    k.always_sensitive = bool_attribute(d, h, CKA_ALWAYS_SENSITIVE);
    k.never_extractable = bool_attribute(d, h, CKA_NEVER_EXTRACTABLE);
  } else {
    k.verify = bool_attribute(d, h, CKA_VERIFY);
    k.encrypt = bool_attribute(d, h, CKA_ENCRYPT);
    k.wrap = bool_attribute(d, h, CKA_WRAP);
    if (k.algorithm) {
      auto pub = decode_public(d, h, *k.algorithm);
      if (pub) k.public_key = std::move(*pub);
    }
  }
  k.derive = bool_attribute(d, h, CKA_DERIVE);
  k.local = bool_attribute(d, h, CKA_LOCAL);
  return k;
}

Result<KeyInfo> find_key(Token::Impl& d, const Uri& uri, bool want_private) {
  if (!uri.object_label && !uri.object_id)
    return Error{Errc::invalid_argument, "'" + uri.display +
                                             "' names no key: add object=LABEL or id=%XX to the URI"};
  const std::string* label = uri.object_label ? &*uri.object_label : nullptr;
  const Bytes* id = uri.object_id ? &*uri.object_id : nullptr;
  const std::string what = std::string(want_private ? "private" : "public") + " key '" +
                           describe_selector(uri) + "' on token '" + d.info.label + "'";
  auto handles = find_objects(d, want_private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY, label, id);
  if (!handles) return std::move(handles).error();
  if (handles->empty())
    return Error{Errc::hsm, "no " + what + (want_private && !d.logged_in ? " (not logged in)" : "")};
  if (handles->size() > 1)
    return Error{Errc::hsm, std::to_string(handles->size()) + " objects match " + what +
                                ": add id=%XX to the URI"};
  auto key = describe_key(d, handles->front(), want_private);
  if (!key) return key;
  if (!key->algorithm)
    return Error{Errc::unsupported, what + " is a " + key->key_type +
                                        " key ota-* does not sign with (Ed25519, ECDSA P-256, RSA-3072)"};
  if (want_private) {
    // The public half: same CKA_ID (what pkcs11-tool and ota-keys write), else same label.
    auto pubs = !key->id.empty() ? find_objects(d, CKO_PUBLIC_KEY, nullptr, &key->id)
                                 : find_objects(d, CKO_PUBLIC_KEY, &key->label, nullptr);
    if (!pubs) return std::move(pubs).error();
    if (pubs->size() != 1)
      return Error{Errc::hsm, what + " has " + std::to_string(pubs->size()) +
                                  " public key objects with its id (expected 1)"};
    auto pub = describe_key(d, pubs->front(), false);
    if (!pub) return std::move(pub).error();
    if (!pub->public_key || pub->algorithm != key->algorithm)
      return Error{Errc::hsm, what + ": its public key object does not hold a matching " +
                                  std::string(crypto::to_string(*key->algorithm)) + " key"};
    key->public_key = pub->public_key;
  } else if (!key->public_key) {
    return Error{Errc::hsm, what + ": cannot decode its public key"};
  }
  return key;
}

Result<Bytes> Token::sign(const KeyInfo& key, ByteView message) {
  Impl& d = *impl_;
  if (!key.algorithm || !key.is_private)
    return Error{Errc::invalid_argument, "not a private signing key"};
  CK_RSA_PKCS_PSS_PARAMS pss{CKM_SHA256, CKG_MGF1_SHA256, 32};
  CK_MECHANISM mech{CKM_EDDSA, nullptr, 0};
  std::string mech_name = "CKM_EDDSA";
  crypto::Sha256Digest digest;
  ByteView input = message;
  switch (*key.algorithm) {
    case crypto::Algorithm::ed25519:
      break;
    case crypto::Algorithm::ecdsa_p256:
      // CKM_ECDSA_SHA256 is missing from SoftHSM2 and others: hash here, sign the digest.
      digest = crypto::sha256(message);
      input = digest;
      mech = {CKM_ECDSA, nullptr, 0};
      mech_name = "CKM_ECDSA";
      break;
    case crypto::Algorithm::rsa_pss_3072:
      mech = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss};
      mech_name = "CKM_SHA256_RSA_PKCS_PSS";
      break;
  }
  const std::string who = "key '" + key.label + "' on token '" + d.info.label + "'";
  CK_RV rv = d.fn->C_SignInit(d.session, &mech, key.handle);
  if (rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID)
    return Error{Errc::hsm, "token '" + d.info.label + "' cannot sign with " + mech_name + " (" +
                                ckr_name(rv) + ")"};
  if (rv == CKR_KEY_FUNCTION_NOT_PERMITTED || rv == CKR_KEY_TYPE_INCONSISTENT)
    return Error{Errc::hsm, who + " may not sign with " + mech_name + " (" + ckr_name(rv) + ")"};
  if (rv != CKR_OK) return d.error("starting to sign with " + mech_name, rv);
  CK_ULONG len = 512;
  Bytes sig(len);
  rv = d.fn->C_Sign(d.session, const_cast<CK_BYTE*>(input.data()), input.size(), sig.data(), &len);
  if (rv == CKR_BUFFER_TOO_SMALL) {
    sig.resize(len);
    rv = d.fn->C_Sign(d.session, const_cast<CK_BYTE*>(input.data()), input.size(), sig.data(), &len);
  }
  if (rv != CKR_OK) return d.error("signing with key '" + key.label + "'", rv);
  sig.resize(len);
  if (*key.algorithm == crypto::Algorithm::ecdsa_p256) return crypto::ecdsa_raw_to_der(sig);
  return sig;
}

Result<KeyInfo> Token::generate(const GenerateRequest& req) {
  Impl& d = *impl_;
  if (req.label.empty()) return Error{Errc::invalid_argument, "a key needs a label"};
  for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE}) {
    auto existing = find_objects(d, cls, &req.label, nullptr);
    if (!existing) return std::move(existing).error();
    if (!existing->empty())
      return Error{Errc::invalid_argument, "token '" + d.info.label + "' already holds an object labelled '" +
                                               req.label + "': choose another label"};
  }
  Bytes id(16);
  if (RAND_bytes(id.data(), int(id.size())) != 1)
    return Error{Errc::io, "no randomness for the key id"};

  CK_ULONG bits = 3072;
  const uint8_t exponent[] = {0x01, 0x00, 0x01};
  std::vector<CK_ATTRIBUTE> pub{
      flag(CKA_TOKEN, true),       flag(CKA_PRIVATE, false), flag(CKA_VERIFY, true),
      flag(CKA_ENCRYPT, false),    flag(CKA_WRAP, false),    flag(CKA_DERIVE, false),
      attr(CKA_LABEL, req.label.data(), req.label.size()), attr(CKA_ID, id.data(), id.size())};
  std::vector<CK_ATTRIBUTE> priv{
      flag(CKA_TOKEN, true),       flag(CKA_PRIVATE, true),      flag(CKA_SENSITIVE, true),
      flag(CKA_EXTRACTABLE, false), flag(CKA_SIGN, true),        flag(CKA_DECRYPT, false),
      flag(CKA_UNWRAP, false),     flag(CKA_DERIVE, false),      flag(CKA_SIGN_RECOVER, false),
      attr(CKA_LABEL, req.label.data(), req.label.size()), attr(CKA_ID, id.data(), id.size())};
  CK_MECHANISM mech{};
  std::vector<ByteView> params_to_try;  // EC curve encodings, first preferred
  switch (req.algorithm) {
    case crypto::Algorithm::ed25519:
      mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
      params_to_try = {kEd25519Oid, kEd25519Name};
      break;
    case crypto::Algorithm::ecdsa_p256:
      mech.mechanism = CKM_EC_KEY_PAIR_GEN;
      params_to_try = {kP256Oid};
      break;
    case crypto::Algorithm::rsa_pss_3072:
      mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
      pub.push_back(attr(CKA_MODULUS_BITS, &bits, sizeof bits));
      pub.push_back(attr(CKA_PUBLIC_EXPONENT, exponent, sizeof exponent));
      params_to_try = {ByteView()};
      break;
  }
  CK_OBJECT_HANDLE pub_h = 0, priv_h = 0;
  CK_RV rv = CKR_GENERAL_ERROR;
  for (ByteView params : params_to_try) {
    std::vector<CK_ATTRIBUTE> pub_tmpl = pub;
    if (!params.empty()) pub_tmpl.push_back(attr(CKA_EC_PARAMS, params.data(), params.size()));
    rv = d.fn->C_GenerateKeyPair(d.session, &mech, pub_tmpl.data(), pub_tmpl.size(), priv.data(),
                                 priv.size(), &pub_h, &priv_h);
    // Tokens disagree on the Ed25519 curve encoding: try the other one.
    if (rv != CKR_ATTRIBUTE_VALUE_INVALID && rv != CKR_CURVE_NOT_SUPPORTED &&
        rv != CKR_DOMAIN_PARAMS_INVALID && rv != CKR_TEMPLATE_INCONSISTENT)
      break;
  }
  if (rv == CKR_MECHANISM_INVALID)
    return Error{Errc::hsm, "token '" + d.info.label + "' cannot generate " +
                                std::string(crypto::to_string(req.algorithm)) + " keys (CKR_MECHANISM_INVALID)"};
  if (rv != CKR_OK) return d.error("generating a " + std::string(crypto::to_string(req.algorithm)) + " key", rv);
  Uri uri;
  uri.object_id = id;
  uri.display = "id=" + to_hex(id);
  return find_key(d, uri, /*want_private=*/true);
}

}  // namespace ota::pkcs11
