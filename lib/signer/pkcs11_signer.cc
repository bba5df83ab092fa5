#include "signer/pkcs11_signer.h"

namespace ota::signer {

Result<std::unique_ptr<Pkcs11Signer>> Pkcs11Signer::open(std::string_view text,
                                                         const OpenOptions& options) {
  auto uri = pkcs11::parse_uri(text);
  if (!uri) return std::move(uri).error();
  auto token = pkcs11::Token::open(*uri, {options.module_path, options.pin});
  if (!token) return std::move(token).error();
  OTA_TRY((*token)->login(*uri, options.pin));
  auto key = (*token)->find_signing_key(*uri);
  if (!key) return std::move(key).error();
  if (options.expect && *options.expect != *key->algorithm)
    return Error{Errc::invalid_argument,
                 "key '" + uri->display + "' is " + std::string(crypto::to_string(*key->algorithm)) +
                     ", not the requested " + std::string(crypto::to_string(*options.expect))};
  return std::unique_ptr<Pkcs11Signer>(
      new Pkcs11Signer(std::move(*token), std::move(*key), uri->display));
}

}  // namespace ota::signer
