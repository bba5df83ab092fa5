// The fleet inventory a release is planned against (issue 10 §1): `fleet.csv`, one row per
// ECU, columns vin,ecu_serial,hardware_id,installed_version,region[,tags]. Strict: the
// header names exactly these columns, every field is checked, and an error names the file,
// the line and the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ota::release {

struct InventoryRow {
  std::string vin, ecu_serial, hardware_id, installed_version, region;
  std::vector<std::string> tags;  // the optional last column, split at ';'
  uint32_t line = 0;              // 1-based, for messages
};

struct Inventory {
  std::vector<InventoryRow> rows;  // in file order
};

// Parses RFC 4180 CSV (quoted fields, "" inside quotes, CRLF or LF). `file` names the
// file in errors: "fleet.csv:12: installed_version: empty". A VIN/ECU pair listed twice is
// refused; empty fields other than tags are refused.
Result<Inventory> parse_inventory(std::string_view text, const std::string& file);

// One RFC 4180 record from `text` at `pos`: its fields, or an error naming file:line for
// an unterminated quote. Advances `pos` past the record's line end; `line` counts the
// physical lines consumed. Also reads cohorts.csv back.
Result<std::vector<std::string>> read_csv_record(std::string_view text, size_t& pos, uint32_t& line,
                                                 const std::string& file);

// One field as RFC 4180 writes it: quoted (with "" for ") when it holds , " CR or LF.
std::string csv_field(const std::string& text);

}  // namespace ota::release
