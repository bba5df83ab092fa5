#include "json/canonical_json.h"

#include <nlohmann/json.hpp>

namespace ota::json {
namespace {

constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

Error too_large_integer() {
  return Error{Errc::invalid_argument, "canonical JSON integers must lie within +-(2^53 - 1), as JSON clients read them"};
}

// Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF): a
// client that parses the served file replaces invalid bytes, canonicalises something
// else, and no signature over these bytes could verify there.
bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned c = *p;
    if (c < 0x80) { ++p; continue; }
    int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
    if (n == 0 || c > 0xf4 || end - p <= n) return false;
    unsigned cp = c & (0x3f >> n);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return false;
    p += n + 1;
  }
  return true;
}

Result<void> append_string(std::string& out, const std::string& s) {
  if (!valid_utf8(s)) return Error{Errc::invalid_argument, "canonical JSON strings must be valid UTF-8"};
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return {};
}

Result<void> append(std::string& out, const nlohmann::json& v) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null: out += "null"; return {};
    case T::boolean: out += v.get<bool>() ? "true" : "false"; return {};
    // JavaScript clients (tuf-js) hold numbers as doubles: beyond 2^53 - 1 they would
    // canonicalise a different integer and no signature over it could verify.
    case T::number_integer: {
      int64_t i = v.get<int64_t>();
      if (i > kMaxSafeInteger || i < -kMaxSafeInteger) return too_large_integer();
      out += std::to_string(i);
      return {};
    }
    case T::number_unsigned: {
      uint64_t u = v.get<uint64_t>();
      if (u > uint64_t(kMaxSafeInteger)) return too_large_integer();
      out += std::to_string(u);
      return {};
    }
    case T::string: return append_string(out, v.get_ref<const std::string&>());
    case T::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ',';
        first = false;
        OTA_TRY(append(out, item));
      }
      out += ']';
      return {};
    }
    case T::object: {
      // nlohmann's object is a std::map<std::string, ...>: iteration is in byte order.
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ',';
        first = false;
        OTA_TRY(append_string(out, key));
        out += ':';
        OTA_TRY(append(out, item));
      }
      out += '}';
      return {};
    }
    case T::number_float:
      return Error{Errc::invalid_argument, "canonical JSON has no floating-point numbers"};
    case T::binary:
    case T::discarded:
      break;
  }
  return Error{Errc::invalid_argument, "canonical JSON cannot hold this value"};
}

}  // namespace

Result<std::string> canonical(const nlohmann::json& value) {
  std::string out;
  OTA_TRY(append(out, value));
  return out;
}

}  // namespace ota::json
