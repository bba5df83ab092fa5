#include "client/names.h"

namespace ota::client {

std::string quote_component(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string encode_target_path(std::string_view path) {
  std::string out;
  for (size_t begin = 0;;) {
    const size_t slash = path.find('/', begin);
    const std::string_view segment = path.substr(begin, slash == std::string_view::npos ? slash : slash - begin);
    out += segment == "." ? "%2E" : segment == ".." ? "%2E%2E" : quote_component(segment);
    if (slash == std::string_view::npos) return out;
    out += '/';
    begin = slash + 1;
  }
}

std::string quote_file_name(std::string_view text) {
  if (text.empty()) return "%";  // quote_component never writes a lone '%': no collision
  std::string out = quote_component(text);
  if (out[0] == '.') out = "%2E" + out.substr(1);
  return out;
}

std::string role_file_name(std::string_view role) { return quote_file_name(role) + ".json"; }

}  // namespace ota::client
