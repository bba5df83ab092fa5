// Signed metadata files: {"signed": {...}, "signatures": [{"keyid", "sig"}]}. The
// signature covers the OLPC canonical JSON of "signed"; the file itself is ordinary
// JSON (canonical, control characters escaped) so any JSON reader can parse it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "metadata/metadata.h"
#include "signer/signer.h"

namespace ota::metadata {

struct Signature {
  std::string keyid;
  std::string sig;  // lower-case hex
};

struct Envelope {
  nlohmann::json signed_;
  std::vector<Signature> signatures;
};

// Parses a metadata file: valid UTF-8 JSON, an object with "signed" (object) and
// "signatures" (array of {"keyid", "sig"} strings; a "sig" that is empty or not hex
// parses and just never verifies), no duplicate key ids among the signatures; other
// top-level fields are ignored. `max_bytes` guards against endless data.
Result<Envelope> parse_envelope(ByteView bytes, size_t max_bytes);

// The bytes of a metadata file: the canonical JSON of the whole document and a final
// newline (compact: 10,000 targets fit where indented JSON would not); if a string
// holds a control character, the same compact document with it escaped, since raw
// control characters are not JSON. Deterministic for the same envelope.
std::string serialize(const Envelope& envelope);

// sign() then serialize() without copying `signed_`: publish's form for large targets
// metadata. Strings must be valid UTF-8.
Result<std::string> sign_and_serialize(const nlohmann::json& signed_, const std::vector<signer::Signer*>& signers);

// Signs canonical(signed_) with each signer, appending {"keyid", "sig"}; key ids are
// the signers' TUF key ids. Every signature is verified before it is added.
Result<Envelope> sign(const nlohmann::json& signed_, const std::vector<signer::Signer*>& signers);

// How many distinct keys of `role` (by public key material, not by key id: the same
// key listed under two ids counts once) made a valid signature over canonical(signed_).
struct ThresholdResult {
  uint32_t valid = 0;
  uint32_t threshold = 0;
};
Result<ThresholdResult> count_signatures(const Envelope& envelope, const std::map<std::string, Key>& keys,
                                         const RoleKeys& role);

// Errc::rejected "<role> metadata: N of M required signatures" unless the threshold is met.
Result<void> verify_threshold(const Envelope& envelope, const std::map<std::string, Key>& keys,
                              const RoleKeys& role, const std::string& role_name);

}  // namespace ota::metadata
