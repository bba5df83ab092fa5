// A session on one PKCS#11 token, reached through p11-kit: find the token by label
// or serial (never by slot number: SoftHSM2 renumbers slots), log in, list,
// generate and use signing keys. The PKCS#11 types stay inside pkcs11/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/keys.h"
#include "pkcs11/uri.h"

namespace ota::pkcs11 {

struct TokenInfo {
  std::string label, serial, manufacturer, model;
  std::string module;  // the module's file name
  bool login_required = false;
  bool protected_auth_path = false;  // PIN pad: C_Login takes no PIN
  bool pin_count_low = false, pin_final_try = false, pin_locked = false;
};

// Asked for the user PIN when the URI carries none; may fail (no terminal, no
// environment variable) with an error that says how to supply one.
using PinProvider = std::function<Result<Secret>(const TokenInfo& token)>;

struct OpenOptions {
  std::optional<std::string> module_path;  // --module; else the URI's module-path; else p11-kit's registered modules
  PinProvider pin;                         // after the URI's pin-value / pin-source
};

// One key on the token, as list and lookups report it.
struct KeyInfo {
  unsigned long handle = 0;   // valid for this session only
  bool is_private = false;
  std::string label;
  Bytes id;
  std::string key_type;       // "ec", "ec-edwards", "rsa", or the CKK_ number
  std::optional<crypto::Algorithm> algorithm;  // unset: a type ota-* does not sign with
  std::optional<crypto::PublicKey> public_key; // from the public object (or the private one)
  // Attributes; unset when the token does not report them.
  std::optional<bool> sign, verify, decrypt, encrypt, unwrap, wrap, derive;
  std::optional<bool> sensitive, extractable, always_sensitive, never_extractable, local;
};

struct GenerateRequest {
  crypto::Algorithm algorithm;
  std::string label;  // the object label (CKA_LABEL) of both halves
};

class Token {
 public:
  // Loads the module(s), selects exactly one token matching the URI's token
  // attributes (Errc::hsm naming the tokens seen when none or several match) and
  // opens a read-write session. Does not log in.
  static Result<std::unique_ptr<Token>> open(const Uri& uri, const OpenOptions& options);
  ~Token();

  const TokenInfo& info() const;

  // Logs the user in with the URI's pin-value, its pin-source file, or the
  // PinProvider, in that order. Wrong, locked and final-try PINs are distinct errors.
  Result<void> login(const Uri& uri, const PinProvider& pin);

  // Every public and private key object visible in the session.
  Result<std::vector<KeyInfo>> list_keys();

  // The one private key the URI's object=/id= selects, with its public key.
  Result<KeyInfo> find_signing_key(const Uri& uri);

  // The one public key object the URI selects (no login needed on most tokens).
  Result<KeyInfo> find_public_key(const Uri& uri);

  // Signs with a key from find_signing_key in the key's scheme; returns the
  // signature in the encoding openssl and TUF read (ECDSA as DER).
  Result<Bytes> sign(const KeyInfo& key, ByteView message);

  // Creates a signing-only key pair: private half sensitive, never extractable,
  // CKA_SIGN only; public half CKA_VERIFY only; both token objects with a random CKA_ID.
  Result<KeyInfo> generate(const GenerateRequest& request);

  // Raw attribute read, for tests that prove a private value cannot be read:
  // the token's CKR_ code as an Errc::hsm error.
  Result<Bytes> read_attribute(const KeyInfo& key, unsigned long attribute_type);

  struct Impl;

 private:
  explicit Token(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The name of a PKCS#11 return code: "CKR_PIN_INCORRECT", or "CKR_0x..." when unknown.
std::string ckr_name(unsigned long rv);

}  // namespace ota::pkcs11
