#include "crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>

namespace ota::crypto {

struct KeyHandle {
  explicit KeyHandle(EVP_PKEY* k) : pkey(k) {}
  ~KeyHandle() { EVP_PKEY_free(pkey); }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;
  EVP_PKEY* pkey;
  // The SubjectPublicKeyInfo DER, encoded once: OpenSSL 3's encoder lookup costs far more
  // than the key hash it feeds (a bootloader hashes every trusted key on each reset).
  std::once_flag spki_once;
  Bytes spki;
};

namespace {

constexpr int kRsaBits = 3072;
// TUF metadata keys of other producers: the spec's floor, and a ceiling that bounds the
// cost of one verification (a 16384-bit key would make every signature a DoS).
constexpr int kTufRsaMinBits = 2048;
constexpr int kTufRsaMaxBits = 4096;
constexpr int kPssSalt = 32;  // TUF rsassa-pss-sha256: salt length = digest length

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

// The reason of OpenSSL's most recent error, and a clean queue for the next caller.
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason ? reason : "unknown OpenSSL error";
}

Error crypto_error(Errc code, std::string what) {
  return Error{code, std::move(what) + " (" + openssl_reason() + ")"};
}

// Which of our algorithms a key is, or why it is none of them.
Result<Algorithm> classify(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519:
      return Algorithm::ed25519;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &len) != 1) {
        ERR_clear_error();
        return Error{Errc::unsupported, "EC key with explicit curve parameters: only P-256 is supported"};
      }
      if (std::strcmp(group, "prime256v1") != 0)
        return Error{Errc::unsupported, std::string("EC key on curve ") + group +
                                            ": only P-256 (prime256v1) is supported"};
      return Algorithm::ecdsa_p256;
    }
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
      int bits = EVP_PKEY_get_bits(pkey);
      if (bits != kRsaBits)
        return Error{Errc::unsupported, "RSA key of " + std::to_string(bits) +
                                            " bits: ota-* signs with 3072-bit RSA-PSS keys"};
      return Algorithm::rsa_pss_3072;
    }
    default:
      return Error{Errc::unsupported, "key type '" +
                                          std::string(EVP_PKEY_get0_type_name(pkey)
                                                          ? EVP_PKEY_get0_type_name(pkey)
                                                          : "?") +
                                          "': supported are Ed25519, ECDSA P-256 and RSA-3072"};
  }
}

Result<std::shared_ptr<KeyHandle>> adopt(EVP_PKEY* pkey, Algorithm& algorithm) {
  auto handle = std::make_shared<KeyHandle>(pkey);
  auto alg = classify(pkey);
  if (!alg) return std::move(alg).error();
  algorithm = *alg;
  return handle;
}

// Sets up a sign or verify context with the scheme's digest and padding.
Result<MdCtx> scheme_context(EVP_PKEY* pkey, Algorithm algorithm, bool signing) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return crypto_error(Errc::io, "out of memory");
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = algorithm == Algorithm::ed25519 ? nullptr : EVP_sha256();
  int ok = signing ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey)
                   : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey);
  if (ok != 1) return crypto_error(Errc::invalid_argument, "cannot use this key");
  if (algorithm == Algorithm::rsa_pss_3072 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kPssSalt) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
    return crypto_error(Errc::invalid_argument, "cannot set RSA-PSS parameters");
  return ctx;
}

// Verification for the TUF RSA schemes. PSS takes the salt length from the signature
// (RSA_PSS_SALTLEN_AUTO, as securesystemslib's verifier does with PSS.AUTO): older
// securesystemslib signed with the maximum salt, newer with the digest length.
Result<MdCtx> tuf_rsa_verify_context(EVP_PKEY* pkey, RsaScheme scheme) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return crypto_error(Errc::io, "out of memory");
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey) != 1)
    return crypto_error(Errc::invalid_argument, "cannot use this key");
  bool ok = scheme == RsaScheme::pkcs1v15_sha256
                ? EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
                : EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
                      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
  if (!ok) return crypto_error(Errc::invalid_argument, "cannot set RSA padding");
  return ctx;
}

std::string_view tuf_rsa_scheme_name(RsaScheme scheme) {
  return scheme == RsaScheme::pkcs1v15_sha256 ? "rsa-pkcs1v15-sha256" : "rsassa-pss-sha256";
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(len));
}

// "-----BEGIN X-----" of a PEM text, for messages about what was found.
std::string pem_type(ByteView pem) {
  std::string_view text(reinterpret_cast<const char*>(pem.data()), pem.size());
  auto begin = text.find("-----BEGIN ");
  if (begin == std::string_view::npos) return {};
  begin += 11;
  auto end = text.find("-----", begin);
  if (end == std::string_view::npos || end - begin > 64) return {};
  return std::string(text.substr(begin, end - begin));
}

int passphrase_callback(char* buf, int size, int, void* user) {
  const auto* secret = static_cast<const Secret*>(user);
  if (!secret || int(secret->reveal().size()) > size) return -1;
  std::memcpy(buf, secret->reveal().data(), secret->reveal().size());
  return int(secret->reveal().size());
}

}  // namespace

std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::ed25519: return "ed25519";
    case Algorithm::ecdsa_p256: return "ecdsa-p256";
    case Algorithm::rsa_pss_3072: return "rsa-pss-3072";
  }
  return "?";
}

Result<Algorithm> parse_algorithm(std::string_view name) {
  for (auto a : {Algorithm::ed25519, Algorithm::ecdsa_p256, Algorithm::rsa_pss_3072})
    if (name == to_string(a)) return a;
  return Error{Errc::invalid_argument, "unknown algorithm '" + std::string(name) +
                                           "': use ed25519, ecdsa-p256 or rsa-pss-3072"};
}

namespace {

// The fixed DER prefixes of an Ed25519 and an uncompressed P-256 SubjectPublicKeyInfo
// (RFC 8410, RFC 5480): with them the key is built from its raw bytes, skipping OpenSSL
// 3's decoder search, which dominates a bootloader's per-reset cost. Anything else (other
// encodings of the same key included) goes through d2i_PUBKEY.
constexpr uint8_t kEd25519Spki[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr uint8_t kP256Spki[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

bool has_prefix(ByteView der, ByteView prefix, size_t total) {
  return der.size() == total && std::equal(prefix.begin(), prefix.end(), der.begin());
}

}  // namespace

Result<PublicKey> PublicKey::from_spki_der(ByteView der) {
  std::optional<Result<PublicKey>> fast;
  if (has_prefix(der, kEd25519Spki, sizeof kEd25519Spki + 32))
    fast = from_ed25519(der.subspan(sizeof kEd25519Spki));
  else if (has_prefix(der, kP256Spki, sizeof kP256Spki + 65))
    fast = from_p256_point(der.subspan(sizeof kP256Spki));
  if (fast && *fast) {
    std::call_once((*fast)->key_->spki_once, [&] { (*fast)->key_->spki.assign(der.begin(), der.end()); });
    return std::move(*fast);
  }
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, long(der.size()));
  if (!pkey) return crypto_error(Errc::corrupt, "not a DER SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(pkey);
    return Error{Errc::corrupt, "trailing bytes after the DER SubjectPublicKeyInfo"};
  }
  Algorithm alg;
  auto handle = adopt(pkey, alg);
  if (!handle) return std::move(handle).error();
  return PublicKey(std::move(*handle), alg);
}

namespace {

// The key of a "-----BEGIN PUBLIC KEY-----" PEM, owned by the returned handle.
Result<std::shared_ptr<KeyHandle>> read_pem_public_key(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) {
    auto type = pem_type(ByteView(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
    ERR_clear_error();
    return Error{Errc::corrupt,
                 type.empty()            ? "no PEM public key found"
                 : type == "PUBLIC KEY" ? "the PEM public key does not parse"
                                        : "PEM '" + type + "' is not a public key: expected 'PUBLIC KEY'"};
  }
  return std::make_shared<KeyHandle>(pkey);
}

}  // namespace

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  auto handle = read_pem_public_key(pem);
  if (!handle) return std::move(handle).error();
  auto alg = classify((*handle)->pkey);
  if (!alg) return std::move(alg).error();
  return PublicKey(std::move(*handle), *alg);
}

Result<PublicKey> PublicKey::from_tuf_rsa_pem(std::string_view pem, RsaScheme scheme) {
  auto handle = read_pem_public_key(pem);
  if (!handle) return std::move(handle).error();
  EVP_PKEY* pkey = (*handle)->pkey;
  const int id = EVP_PKEY_get_base_id(pkey);
  // An RSA-PSS-only key (id-RSASSA-PSS) must not verify PKCS#1 v1.5 signatures.
  if (id != EVP_PKEY_RSA && !(id == EVP_PKEY_RSA_PSS && scheme == RsaScheme::pss_sha256))
    return Error{Errc::corrupt, "the PEM holds no RSA key usable with " + std::string(tuf_rsa_scheme_name(scheme))};
  const int bits = EVP_PKEY_get_bits(pkey);
  if (bits < kTufRsaMinBits || bits > kTufRsaMaxBits)
    return Error{Errc::unsupported, "RSA key of " + std::to_string(bits) + " bits: TUF metadata keys must have 2048 to 4096 bits"};
  PublicKey key(std::move(*handle), Algorithm::rsa_pss_3072);
  key.rsa_scheme_ = scheme;
  return key;
}

Result<PublicKey> PublicKey::from_ed25519(ByteView raw) {
  if (raw.size() != 32)
    return Error{Errc::corrupt, "Ed25519 public key of " + std::to_string(raw.size()) +
                                    " bytes: expected 32"};
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size());
  if (!pkey) return crypto_error(Errc::corrupt, "invalid Ed25519 public key");
  return PublicKey(std::make_shared<KeyHandle>(pkey), Algorithm::ed25519);
}

Result<PublicKey> PublicKey::from_p256_point(ByteView point) {
  if (point.size() != 65 || point[0] != 0x04)
    return Error{Errc::corrupt, "P-256 public point of " + std::to_string(point.size()) +
                                    " bytes: expected 65, uncompressed (04 || X || Y)"};
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return crypto_error(Errc::io, "out of memory");
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return crypto_error(Errc::corrupt, "invalid P-256 public point");
  auto handle = std::make_shared<KeyHandle>(pkey);
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return crypto_error(Errc::corrupt, "P-256 public point is not on the curve");
  return PublicKey(std::move(handle), Algorithm::ecdsa_p256);
}

Result<PublicKey> PublicKey::from_rsa(ByteView modulus, ByteView exponent) {
  Bn n(BN_bin2bn(modulus.data(), int(modulus.size()), nullptr));
  Bn e(BN_bin2bn(exponent.data(), int(exponent.size()), nullptr));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return crypto_error(Errc::io, "out of memory");
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return crypto_error(Errc::corrupt, "invalid RSA public key");
  Algorithm alg;
  auto handle = adopt(pkey, alg);
  if (!handle) return std::move(handle).error();
  return PublicKey(std::move(*handle), alg);
}

Bytes PublicKey::spki_der() const {
  std::call_once(key_->spki_once, [this] {
    unsigned char* out = nullptr;
    int len = i2d_PUBKEY(key_->pkey, &out);
    if (len <= 0) std::abort();  // only out of memory: a loaded key always encodes
    key_->spki.assign(out, out + len);
    OPENSSL_free(out);
  });
  return key_->spki;
}

std::string PublicKey::pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_->pkey) != 1) std::abort();
  return bio_text(bio.get());
}

Bytes PublicKey::ed25519_raw() const {
  Bytes raw(32);
  size_t len = raw.size();
  if (algorithm_ != Algorithm::ed25519 ||
      EVP_PKEY_get_raw_public_key(key_->pkey, raw.data(), &len) != 1 || len != 32)
    return {};
  return raw;
}

Result<void> PublicKey::verify(ByteView message, ByteView signature) const {
  auto ctx = rsa_scheme_ ? tuf_rsa_verify_context(key_->pkey, *rsa_scheme_)
                         : scheme_context(key_->pkey, algorithm_, /*signing=*/false);
  if (!ctx) return std::move(ctx).error();
  int ok = EVP_DigestVerify(ctx->get(), signature.data(), signature.size(), message.data(),
                            message.size());
  ERR_clear_error();
  if (ok != 1)
    return Error{Errc::rejected, std::string(rsa_scheme_ ? tuf_rsa_scheme_name(*rsa_scheme_) : to_string(algorithm_)) +
                                     " signature does not verify with this public key"};
  return {};
}

bool PublicKey::operator==(const PublicKey& other) const {
  return EVP_PKEY_eq(key_->pkey, other.key_->pkey) == 1;
}

Result<PrivateKey> PrivateKey::generate(Algorithm algorithm) {
  EVP_PKEY* pkey = nullptr;
  switch (algorithm) {
    case Algorithm::ed25519: pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case Algorithm::ecdsa_p256: pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case Algorithm::rsa_pss_3072:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(kRsaBits));
      break;
  }
  if (!pkey) return crypto_error(Errc::io, "key generation failed");
  return PrivateKey(std::make_shared<KeyHandle>(pkey), algorithm);
}

Result<PrivateKey> PrivateKey::from_pem(ByteView pem, const Secret* passphrase) {
  auto type = pem_type(pem);
  static constexpr std::string_view kAccepted =
      "accepted: PKCS#8 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', SEC1 'EC PRIVATE KEY', "
      "PKCS#1 'RSA PRIVATE KEY'";
  if (type.empty())
    return Error{Errc::corrupt, "no PEM private key found (" + std::string(kAccepted) + ")"};
  if (type != "PRIVATE KEY" && type != "ENCRYPTED PRIVATE KEY" && type != "EC PRIVATE KEY" &&
      type != "RSA PRIVATE KEY")
    return Error{Errc::corrupt, "PEM '" + type + "' is not a private key (" +
                                    std::string(kAccepted) + ")"};
  bool encrypted = type == "ENCRYPTED PRIVATE KEY" ||
                   std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size())
                           .find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
  if (encrypted && (!passphrase || passphrase->empty()))
    return Error{Errc::invalid_argument,
                 "the PEM private key is encrypted: give its passphrase in OTA_KEY_PASSPHRASE"};
  Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* pkey =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback,
                                    const_cast<Secret*>(passphrase))
          : nullptr;
  if (!pkey) {
    if (encrypted) {
      ERR_clear_error();
      return Error{Errc::rejected, "cannot decrypt the PEM private key: wrong passphrase"};
    }
    return crypto_error(Errc::corrupt, "PEM '" + type + "' does not parse");
  }
  Algorithm alg;
  auto handle = adopt(pkey, alg);
  if (!handle) return std::move(handle).error();
  return PrivateKey(std::move(*handle), alg);
}

PublicKey PrivateKey::public_key() const {
  // Re-encode as SubjectPublicKeyInfo so the public object holds no private part.
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(key_->pkey, &out);
  if (len <= 0) std::abort();
  const unsigned char* p = out;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  OPENSSL_free(out);
  if (!pub) std::abort();
  return PublicKey(std::make_shared<KeyHandle>(pub), algorithm_);
}

Result<Bytes> PrivateKey::sign(ByteView message) const {
  auto ctx = scheme_context(key_->pkey, algorithm_, /*signing=*/true);
  if (!ctx) return std::move(ctx).error();
  size_t len = 0;
  if (EVP_DigestSign(ctx->get(), nullptr, &len, message.data(), message.size()) != 1)
    return crypto_error(Errc::io, "signing failed");
  Bytes sig(len);
  if (EVP_DigestSign(ctx->get(), sig.data(), &len, message.data(), message.size()) != 1)
    return crypto_error(Errc::io, "signing failed");
  sig.resize(len);
  return sig;
}

Secret PrivateKey::pkcs8_pem() const {
  Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    std::abort();
  return Secret(bio_text(bio.get()));
}

Result<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.size() != 64)
    return Error{Errc::corrupt, "raw ECDSA P-256 signature of " + std::to_string(raw.size()) +
                                    " bytes: expected 64 (r || s)"};
  EcSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return crypto_error(Errc::io, "out of memory");
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return crypto_error(Errc::io, "out of memory");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

}  // namespace ota::crypto
