// F9: every flash operation logged, and the id of a power-cut run, printed on failure
// and parsed back from the command line to replay exactly that run (littlefs-style ids).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "flash/cutting_flash.h"
#include "flash/flash.h"
#include "flash/mem_flash.h"

namespace ota::flash {

enum class TraceOp { read, program, erase };

struct TraceEntry {
  uint64_t seq = 0;  // 1-based, over every call (reads included)
  TraceOp op = TraceOp::read;
  uint64_t offset = 0, length = 0;
  uint64_t sector_erase_count = 0;  // of the sector holding `offset`, after the call
  bool ok = true;                   // false: the call returned an error (a cut included)
};

std::string to_string(const TraceEntry& entry);  // "17 program 0x2000+64 erases=3 ok"

// Wraps a Flash (not owned) and records every call. Erase counts come from `mem`, the
// device under everything (e.g. the MemFlash a CuttingFlash wraps).
class TracingFlash final : public Flash {
 public:
  TracingFlash(Flash& inner, const MemFlash& mem) : inner_(inner), mem_(mem) {}

  const Geometry& geometry() const override { return inner_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  Result<void> program(uint64_t offset, ByteView data) override;
  Result<void> erase(uint64_t offset, uint64_t length) override;

  const std::vector<TraceEntry>& entries() const { return entries_; }
  // The last `n` entries as text, one per line (what a failing sweep prints).
  std::string tail(size_t n) const;

 private:
  Result<void> record(TraceOp op, uint64_t offset, uint64_t length, Result<void> result);

  Flash& inner_;
  const MemFlash& mem_;
  std::vector<TraceEntry> entries_;
};

// One cut of a run: power is lost at operation `at` (counted from 1 after each power-up)
// in `mode`.
struct Cut {
  uint64_t at = 0;
  CutMode mode = CutMode::before;
  bool operator==(const Cut&) const = default;
};

// Everything that makes a power-cut run reproducible. Text form, one token, no spaces:
//   scenario=update;layout=mcu-1m;ws=8;erased=ff;seed=7;cuts=12:before,40:torn-program
struct RunId {
  std::string scenario, layout;
  uint32_t write_size = 1;
  uint8_t erased = 0xFF;
  uint64_t seed = 0;
  std::vector<Cut> cuts;
  bool operator==(const RunId&) const = default;
};

std::string to_string(const RunId& id);
// Errc::invalid_argument with a one-line message naming the bad field.
Result<RunId> parse_run_id(std::string_view text);
Result<CutMode> parse_cut_mode(std::string_view name);

}  // namespace ota::flash
