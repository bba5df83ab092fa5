// Public keys as TUF metadata carries them, and TUF key ids.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "crypto/keys.h"

namespace ota::crypto {

// The key object TUF 1.0 writes in root and targets metadata, as canonical JSON:
//   ed25519:    {"keytype":"ed25519","keyval":{"public":"<64 hex>"},"scheme":"ed25519"}
//   ecdsa-p256: {"keytype":"ecdsa","keyval":{"public":"<SPKI PEM>"},"scheme":"ecdsa-sha2-nistp256"}
//   rsa:        {"keytype":"rsa","keyval":{"public":"<SPKI PEM>"},"scheme":"rsassa-pss-sha256"}
std::string tuf_key_json(const PublicKey& key);

// The same key object as JSON (note: canonical JSON leaves the PEM newlines raw, so
// tuf_key_json() is not parseable JSON for ECDSA/RSA keys; use this to embed a key).
nlohmann::json tuf_key_object(const PublicKey& key);

// The key id: lower-case hex SHA-256 of tuf_key_json().
std::string tuf_key_id(const PublicKey& key);

// TUF's scheme name for an algorithm ("ecdsa-sha2-nistp256", ...).
std::string_view tuf_scheme(Algorithm algorithm);

// Reads a TUF key object (as above; keytype "ecdsa-sha2-nistp256" is accepted for
// ECDSA, as older writers use it), or {"keyid": ID, "key": OBJECT} as `ota-keys public`
// writes it, where ID must match. Errc::corrupt or unsupported with the reason.
Result<PublicKey> public_key_from_tuf_json(std::string_view text);

// Reads a key object from TUF metadata, to verify signatures with. Unlike
// public_key_from_tuf_json it never reads the `ota-keys public` wrapper (a field named
// "key" is one more unknown field, which TUF allows), and it also reads RSA keys of
// 2048 to 4096 bits with scheme "rsassa-pss-sha256" or "rsa-pkcs1v15-sha256"
// (PublicKey::from_tuf_rsa_pem). Errc::corrupt or unsupported with the reason.
Result<PublicKey> public_key_from_tuf_object(const nlohmann::json& object);

}  // namespace ota::crypto
