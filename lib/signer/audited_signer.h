// A Signer that records every signature in the hash-chained audit log
// (docs/formats/audit-log.md) before handing it out: no untraced signature leaves.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "signer/signer.h"

namespace ota::signer {

struct AuditTrail {
  std::filesystem::path log;
  std::string role;     // "" when unknown
  std::string tool;     // "ota-sign"
  std::string command;  // "sign"
};

class AuditedSigner final : public Signer {
 public:
  AuditedSigner(Signer& inner, AuditTrail trail) : inner_(inner), trail_(std::move(trail)) {}
  // Owning form, for callers that hand signers around as unique_ptr.
  AuditedSigner(std::unique_ptr<Signer> inner, AuditTrail trail)
      : owned_(std::move(inner)), inner_(*owned_), trail_(std::move(trail)) {}
  crypto::Algorithm algorithm() const override { return inner_.algorithm(); }
  const crypto::PublicKey& public_key() const override { return inner_.public_key(); }
  std::string reference() const override { return inner_.reference(); }

 protected:
  Result<Bytes> sign_unchecked(ByteView message) override {
    auto signature = inner_.sign(message);
    if (!signature) return signature;
    audit::Record record{key_id(), trail_.role, std::string(crypto::to_string(algorithm())),
                         crypto::sha256(message), trail_.tool, trail_.command};
    OTA_TRY(audit::append(trail_.log, record, audit::current_context()));
    return signature;
  }

 private:
  std::unique_ptr<Signer> owned_;
  Signer& inner_;
  AuditTrail trail_;
};

}  // namespace ota::signer
