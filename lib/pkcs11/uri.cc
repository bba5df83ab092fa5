#include "pkcs11/uri.h"

#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include <cstring>
#include <memory>

namespace ota::pkcs11 {
namespace {

struct UriDeleter {
  void operator()(P11KitUri* u) const { p11_kit_uri_free(u); }
};

// CK_TOKEN_INFO text fields are space padded; p11-kit leaves unset ones zeroed.
std::optional<std::string> padded(const unsigned char* field, size_t size) {
  if (field[0] == 0) return std::nullopt;
  size_t len = size;
  while (len > 0 && (field[len - 1] == ' ' || field[len - 1] == 0)) --len;
  return std::string(reinterpret_cast<const char*>(field), len);
}

std::optional<Bytes> attribute(P11KitUri* uri, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE* attr = p11_kit_uri_get_attribute(uri, type);
  if (!attr) return std::nullopt;
  auto* p = static_cast<const uint8_t*>(attr->pValue);
  return Bytes(p, p + attr->ulValueLen);
}

std::optional<std::string> text_of(const char* s) {
  if (!s) return std::nullopt;
  return std::string(s);
}

}  // namespace

std::string redact_uri(std::string_view text) {
  std::string out(text);
  for (size_t pos = out.find("pin-value="); pos != std::string::npos;
       pos = out.find("pin-value=", pos + 1)) {
    size_t start = pos + 10;
    size_t end = out.find_first_of("&;", start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

Result<Uri> parse_uri(std::string_view text) {
  Uri out;
  out.display = redact_uri(text);
  std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
  std::string copy(text);
  int rc = p11_kit_uri_parse(copy.c_str(), P11_KIT_URI_FOR_ANY, uri.get());
  explicit_bzero(copy.data(), copy.size());  // may hold a pin-value
  if (rc != P11_KIT_URI_OK)
    return Error{Errc::invalid_argument, "bad PKCS#11 URI '" + out.display + "': " +
                                             p11_kit_uri_message(rc)};
  CK_TOKEN_INFO* token = p11_kit_uri_get_token_info(uri.get());
  out.token_label = padded(token->label, sizeof token->label);
  out.token_serial = padded(token->serialNumber, sizeof token->serialNumber);
  out.token_manufacturer = padded(token->manufacturerID, sizeof token->manufacturerID);
  out.token_model = padded(token->model, sizeof token->model);
  if (auto label = attribute(uri.get(), CKA_LABEL)) out.object_label = std::string(label->begin(), label->end());
  out.object_id = attribute(uri.get(), CKA_ID);
  if (auto cls = attribute(uri.get(), CKA_CLASS); cls && cls->size() == sizeof(CK_OBJECT_CLASS)) {
    CK_OBJECT_CLASS c;
    std::memcpy(&c, cls->data(), sizeof c);
    out.object_type = c == CKO_PRIVATE_KEY ? "private"
                      : c == CKO_PUBLIC_KEY ? "public"
                      : c == CKO_CERTIFICATE ? "cert"
                      : c == CKO_SECRET_KEY ? "secret-key"
                                            : "data";
  }
  out.module_path = text_of(p11_kit_uri_get_module_path(uri.get()));
  out.module_name = text_of(p11_kit_uri_get_module_name(uri.get()));
  if (const char* pin = p11_kit_uri_get_pin_value(uri.get())) out.pin_value.emplace(pin);
  out.pin_source = text_of(p11_kit_uri_get_pin_source(uri.get()));
  return out;
}

}  // namespace ota::pkcs11
