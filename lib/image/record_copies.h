// The redundant-record protocol (BOOT-SPEC C3/C4) for any small fixed-size record kept
// in N >= 2 copies, each in erase sectors of its own: the boot-control record (bcr.h) and
// the agent's install journal (agent/journal.h). Selection: the newest valid copy by
// RFC 1982 serial comparison of its seq. Write: seq + 1 into the oldest or an invalid
// copy, never the current one, so a power cut at any flash operation leaves the old or
// the new record selectable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"

namespace ota::image {

// CRC-32/IEEE (reflected 0xEDB88320, init and final xor 0xFFFFFFFF: zlib's crc32), the
// check value of every redundant record.
uint32_t crc32_ieee(ByteView bytes);

// RFC 1982 serial-number order on 32 bits: is `a` newer than `b`? (false when equal, and
// when they are exactly 2^31 apart, which the comparison leaves undefined).
bool seq_newer(uint32_t a, uint32_t b);

struct RecordCopy {
  size_t index = 0;
  bool valid = false;
  uint32_t seq = 0;     // when valid
  std::string problem;  // when invalid: "erased", "bad CRC ...", ...
  Bytes raw;            // the record_size bytes read (empty when the region is too small)
};

struct RecordScan {
  std::vector<RecordCopy> copies;
  std::optional<size_t> current;      // the selected copy; none when no copy is valid
  std::vector<std::string> warnings;  // two copies with one seq and different content
};

// Decodes one copy's bytes far enough to say whether it is valid: its seq, or an error
// whose message is the copy's problem.
using SeqOfRecord = std::function<Result<uint32_t>(ByteView)>;

class RecordCopies {
 public:
  // `what` names the record in messages ("boot-control record", "journal").
  RecordCopies(flash::Flash& flash, std::vector<Region> copies, size_t record_size, SeqOfRecord seq_of, std::string what);

  const std::vector<Region>& regions() const { return copies_; }
  // Reads every copy (reads only: no program or erase) and selects the newest valid one.
  Result<RecordScan> scan();
  // `encode(seq)` returns the record to store under `seq` (the current seq + 1, or 1 when
  // no copy is valid). Erases the target copy's region, programs the record at its
  // start and reads it back. Returns the seq written.
  Result<uint32_t> write(const std::function<Bytes(uint32_t seq)>& encode);

 private:
  flash::Flash& flash_;
  std::vector<Region> copies_;
  size_t record_size_;
  SeqOfRecord seq_of_;
  std::string what_;
};

}  // namespace ota::image
