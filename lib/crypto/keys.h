// Signature keys and algorithms through OpenSSL 3's EVP API: the three TUF schemes
// ota-* signs with, public keys in every encoding a token or a peer hands us, and
// development private keys in PEM files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace ota::crypto {

// Signature encodings are the ones openssl and TUF read: Ed25519 raw 64 bytes,
// ECDSA DER over SHA-256 of the message, RSA-PSS with SHA-256, MGF1-SHA256, salt 32.
enum class Algorithm {
  ed25519,       // TUF "ed25519"
  ecdsa_p256,    // TUF "ecdsa-sha2-nistp256"
  rsa_pss_3072,  // TUF "rsassa-pss-sha256", 3072-bit modulus
};

std::string_view to_string(Algorithm algorithm);           // "ed25519", "ecdsa-p256", "rsa-pss-3072"
Result<Algorithm> parse_algorithm(std::string_view name);  // the names above

// The two RSA schemes TUF key objects name ("rsassa-pss-sha256", "rsa-pkcs1v15-sha256"),
// both over SHA-256. ota-* signs only the first; the second is verified because other
// producers (securesystemslib, the tuf-conformance simulator) sign with it.
enum class RsaScheme { pss_sha256, pkcs1v15_sha256 };

struct KeyHandle;  // an EVP_PKEY, shared by copies

class PublicKey {
 public:
  static Result<PublicKey> from_spki_der(ByteView der);
  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo) PEM.
  static Result<PublicKey> from_pem(std::string_view pem);
  static Result<PublicKey> from_ed25519(ByteView raw32);
  static Result<PublicKey> from_p256_point(ByteView uncompressed65);  // 04 || X || Y
  static Result<PublicKey> from_rsa(ByteView modulus, ByteView public_exponent);
  // An RSA key from TUF metadata, for verification only: SubjectPublicKeyInfo PEM of
  // 2048 to 4096 bits (TUF allows any size from 2048; below is refused), verified with
  // `scheme` (PSS: MGF1-SHA256, any salt length, as securesystemslib verifies).
  // algorithm() says rsa_pss_3072, the RSA family, whatever the size: only rsa_scheme()
  // tells these keys apart, so never hand one to image or signer code.
  static Result<PublicKey> from_tuf_rsa_pem(std::string_view pem, RsaScheme scheme);

  Algorithm algorithm() const { return algorithm_; }
  // Set only for keys from from_tuf_rsa_pem.
  std::optional<RsaScheme> rsa_scheme() const { return rsa_scheme_; }
  Bytes spki_der() const;
  std::string pem() const;   // SubjectPublicKeyInfo PEM, 64-column lines, trailing newline
  Bytes ed25519_raw() const; // the 32 raw bytes; only for Ed25519 keys

  // Errc::rejected when the signature does not verify (wrong key, data or encoding).
  Result<void> verify(ByteView message, ByteView signature) const;

  bool operator==(const PublicKey& other) const;
  const KeyHandle& handle() const { return *key_; }

 private:
  PublicKey(std::shared_ptr<KeyHandle> key, Algorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  friend class PrivateKey;
  std::shared_ptr<KeyHandle> key_;
  Algorithm algorithm_;
  std::optional<RsaScheme> rsa_scheme_;  // verification-only RSA: padding and salt rule
};

// A private key held in this process: development keys only (production keys stay
// in a token, see pkcs11/).
class PrivateKey {
 public:
  static Result<PrivateKey> generate(Algorithm algorithm);
  // PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8 (with `passphrase`), SEC1 ("EC PRIVATE
  // KEY") and PKCS#1 ("RSA PRIVATE KEY") PEM. A refusal names the PEM type found.
  static Result<PrivateKey> from_pem(ByteView pem, const Secret* passphrase);

  Algorithm algorithm() const { return algorithm_; }
  PublicKey public_key() const;
  Result<Bytes> sign(ByteView message) const;
  // Unencrypted PKCS#8 PEM, for a file written with mode 0600.
  Secret pkcs8_pem() const;

 private:
  PrivateKey(std::shared_ptr<KeyHandle> key, Algorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<KeyHandle> key_;
  Algorithm algorithm_;
};

// A raw r||s ECDSA signature (what PKCS#11 CKM_ECDSA returns) as DER ECDSA-Sig-Value.
Result<Bytes> ecdsa_raw_to_der(ByteView raw);

}  // namespace ota::crypto
