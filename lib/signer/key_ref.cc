#include "signer/key_ref.h"

#include "pkcs11/uri.h"

namespace ota::signer {

Result<KeyRef> parse_key_ref(std::string_view ref) {
  if (ref.rfind("pkcs11:", 0) == 0) return KeyRef{KeyRef::Kind::pkcs11, {}};
  if (ref.rfind("file:", 0) == 0) {
    if (ref.size() == 5) return Error{Errc::invalid_argument, "key reference 'file:' names no file"};
    return KeyRef{KeyRef::Kind::file, std::string(ref.substr(5))};
  }
  return Error{Errc::invalid_argument, "key reference '" + pkcs11::redact_uri(ref) +
                                           "': use pkcs11:token=...;object=... (RFC 7512) or file:PATH"};
}

}  // namespace ota::signer
