#include "release/inventory.h"

#include <algorithm>
#include <set>
#include <utility>

namespace ota::release {
namespace {

constexpr const char* kColumns[] = {"vin", "ecu_serial", "hardware_id", "installed_version", "region", "tags"};

Error bad(const std::string& file, uint32_t line, const std::string& what) {
  return Error{Errc::invalid_argument, file + ":" + std::to_string(line) + ": " + what};
}

}  // namespace

Result<std::vector<std::string>> read_csv_record(std::string_view text, size_t& pos, uint32_t& line,
                                             const std::string& file) {
  std::vector<std::string> fields(1);
  const uint32_t start = line;
  bool quoted = false, was_quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
      continue;
    }
    if (c == '"' && fields.back().empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
      ++line;
      return fields;
    } else if (was_quoted) {
      return bad(file, start, "a character after a closing quote");
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return bad(file, start, "a quoted field is not closed");
  ++line;
  return fields;
}

Result<Inventory> parse_inventory(std::string_view text, const std::string& file) {
  size_t pos = 0;
  uint32_t line = 1;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // a UTF-8 BOM from a spreadsheet
  auto header = read_csv_record(text, pos, line, file);
  if (!header) return std::move(header).error();
  const size_t columns = header->size();
  bool header_ok = columns == 5 || columns == 6;
  for (size_t i = 0; header_ok && i < columns; ++i) header_ok = (*header)[i] == kColumns[i];
  if (!header_ok)
    return bad(file, 1, "the header must be vin,ecu_serial,hardware_id,installed_version,region[,tags]");
  Inventory inv;
  std::set<std::pair<std::string, std::string>> seen;
  while (pos < text.size()) {
    const uint32_t at = line;
    auto fields = read_csv_record(text, pos, line, file);
    if (!fields) return std::move(fields).error();
    if (fields->size() == 1 && (*fields)[0].empty()) continue;  // a blank line
    if (fields->size() != columns)
      return bad(file, at, std::to_string(fields->size()) + " fields, the header has " + std::to_string(columns));
    InventoryRow row;
    std::string* targets[] = {&row.vin, &row.ecu_serial, &row.hardware_id, &row.installed_version, &row.region};
    for (size_t i = 0; i < 5; ++i) {
      if ((*fields)[i].empty()) return bad(file, at, std::string(kColumns[i]) + ": empty");
      *targets[i] = std::move((*fields)[i]);
    }
    if (columns == 6) {
      const std::string& tags = (*fields)[5];
      for (size_t b = 0; b < tags.size();) {
        const size_t e = std::min(tags.find(';', b), tags.size());
        if (e > b) row.tags.push_back(tags.substr(b, e - b));
        b = e + 1;
      }
    }
    if (!seen.emplace(row.vin, row.ecu_serial).second)
      return bad(file, at, "vin " + row.vin + " ecu_serial " + row.ecu_serial + " is listed twice");
    row.line = at;
    inv.rows.push_back(std::move(row));
  }
  return inv;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace ota::release
