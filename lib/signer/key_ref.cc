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

std::vector<std::pair<std::string, std::string>> files_read_by(std::string_view ref) {
  auto kind = parse_key_ref(ref);
  if (!kind) return {};
  if (kind->kind == KeyRef::Kind::file) return {{"the key file", kind->file_path}};
  auto uri = pkcs11::parse_uri(ref);
  if (!uri || !uri->pin_source) return {};
  const std::string& source = *uri->pin_source;
  return {{"the PIN file", source.rfind("file:", 0) == 0 ? source.substr(5) : source}};
}

}  // namespace ota::signer
