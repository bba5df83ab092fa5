// The one signing interface every ota-* tool uses, whatever holds the key: a
// PKCS#11 token ("pkcs11:" RFC 7512 URI) or a development PEM file ("file:PATH").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/keys.h"
#include "io/storage.h"
#include "pkcs11/token.h"

namespace ota::signer {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual crypto::Algorithm algorithm() const = 0;
  virtual const crypto::PublicKey& public_key() const = 0;
  // Where the key lives, for messages and the audit log ("file:k.pem", a redacted URI).
  virtual std::string reference() const = 0;
  std::string key_id() const;  // TUF key id of public_key()

  // Signs `message` in the algorithm's scheme (crypto/keys.h encodings) and checks
  // the signature against public_key() before returning it, so a token that
  // returns a wrong or malformed signature never yields an output.
  Result<Bytes> sign(ByteView message);

 protected:
  virtual Result<Bytes> sign_unchecked(ByteView message) = 0;
};

struct OpenOptions {
  std::optional<std::string> module_path;           // --module for pkcs11: keys
  pkcs11::PinProvider pin;                          // when the URI carries no PIN
  const Secret* passphrase = nullptr;               // for encrypted PEM files
  std::optional<crypto::Algorithm> expect;          // refuse a key of another algorithm
};

// Opens a key reference for signing ("pkcs11:..." logs in; "file:PATH" reads the PEM).
Result<std::unique_ptr<Signer>> open_signer(io::Storage& fs, std::string_view ref,
                                            const OpenOptions& options);

// The public key of a key reference, without logging in where the token allows;
// also a path to a PEM SubjectPublicKeyInfo or a TUF key JSON file.
Result<crypto::PublicKey> open_public_key(io::Storage& fs, std::string_view ref,
                                          const OpenOptions& options);

struct GenerateOptions {
  crypto::Algorithm algorithm;
  std::optional<std::string> label;  // token object label when the URI has no object=
};

// Creates a key: in the token (signing-only template, see pkcs11::Token::generate)
// or as a PKCS#8 PEM file with mode 0600 that must not exist yet.
Result<crypto::PublicKey> generate_key(io::Storage& fs, std::string_view ref,
                                       const GenerateOptions& request, const OpenOptions& options);

}  // namespace ota::signer
