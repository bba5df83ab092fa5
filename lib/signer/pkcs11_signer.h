// Keys in a PKCS#11 token: the private key never leaves it.
#pragma once

#include "signer/signer.h"

namespace ota::signer {

class Pkcs11Signer final : public Signer {
 public:
  // Opens the token the URI names, logs in and finds the private key.
  static Result<std::unique_ptr<Pkcs11Signer>> open(std::string_view uri, const OpenOptions& options);

  crypto::Algorithm algorithm() const override { return *key_.algorithm; }
  const crypto::PublicKey& public_key() const override { return *key_.public_key; }
  std::string reference() const override { return display_; }

 protected:
  Result<Bytes> sign_unchecked(ByteView message) override { return token_->sign(key_, message); }

 private:
  Pkcs11Signer(std::unique_ptr<pkcs11::Token> token, pkcs11::KeyInfo key, std::string display)
      : token_(std::move(token)), key_(std::move(key)), display_(std::move(display)) {}
  std::unique_ptr<pkcs11::Token> token_;
  pkcs11::KeyInfo key_;
  std::string display_;
};

}  // namespace ota::signer
