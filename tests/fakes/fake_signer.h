// A Signer for tests of anything that signs (manifests, slot images): an in-memory key
// of any algorithm, with switches for the failures a token produces — a wrong PIN or
// locked token at sign time, and a wrong signature (which Signer::sign must catch).
#pragma once

#include <optional>

#include "crypto/keys.h"
#include "signer/signer.h"

namespace ota::testing {

class FakeSigner final : public signer::Signer {
 public:
  explicit FakeSigner(crypto::Algorithm algorithm = crypto::Algorithm::ed25519)
      : key_(*crypto::PrivateKey::generate(algorithm)), public_(key_.public_key()) {}

  std::optional<Error> fail_with;   // returned by the next signatures, e.g. a wrong PIN
  bool corrupt_signature = false;   // flip a bit of what the "token" returns
  int signatures = 0;               // successful backend signatures

  crypto::Algorithm algorithm() const override { return key_.algorithm(); }
  const crypto::PublicKey& public_key() const override { return public_; }
  std::string reference() const override { return "fake:" + std::string(crypto::to_string(algorithm())); }

  static Error wrong_pin() {
    return Error{Errc::hsm, "wrong PIN for token 'fake' (CKR_PIN_INCORRECT)"};
  }

 protected:
  Result<Bytes> sign_unchecked(ByteView message) override {
    if (fail_with) return *fail_with;
    auto sig = key_.sign(message);
    if (!sig) return sig;
    if (corrupt_signature) (*sig)[sig->size() / 2] ^= 0x01;
    ++signatures;
    return sig;
  }

 private:
  crypto::PrivateKey key_;
  crypto::PublicKey public_;
};

}  // namespace ota::testing
