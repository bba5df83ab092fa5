// RFC 7512 "pkcs11:" URIs, parsed with p11-kit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace ota::pkcs11 {

// What a URI selects. Unset fields match anything.
struct Uri {
  std::string display;  // the URI for messages: any pin-value replaced by "***"
  std::optional<std::string> token_label, token_serial, token_manufacturer, token_model;
  std::optional<std::string> object_label;  // "object="
  std::optional<Bytes> object_id;           // "id="
  std::optional<std::string> object_type;   // "type=" private|public|cert|secret-key|data
  std::optional<std::string> module_path, module_name;
  std::optional<Secret> pin_value;          // "?pin-value="
  std::optional<std::string> pin_source;    // "?pin-source=" file:PATH or PATH

  Uri() = default;
  Uri(Uri&&) = default;
  Uri& operator=(Uri&&) = default;
};

// Errc::invalid_argument with p11-kit's reason for a malformed URI.
Result<Uri> parse_uri(std::string_view text);

// The URI with any pin-value hidden, for messages and logs.
std::string redact_uri(std::string_view text);

}  // namespace ota::pkcs11
