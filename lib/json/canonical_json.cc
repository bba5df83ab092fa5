#include "json/canonical_json.h"

#include <nlohmann/json.hpp>

namespace ota::json {
namespace {

constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

Error too_large_integer() {
  return Error{Errc::invalid_argument, "canonical JSON integers must lie within +-(2^53 - 1), as JSON clients read them"};
}

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
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
    case T::string: append_string(out, v.get_ref<const std::string&>()); return {};
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
        append_string(out, key);
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
