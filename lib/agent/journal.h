// The agent's install journal (BOOT-SPEC U4; docs/agent.md "Journal"): which image is
// being installed into which slot, how it is delivered, and how many times the install
// has been started or resumed. It lives in the first two sectors of the layout's
// `scratch` region, one copy per sector, written with the boot-control record's C4
// protocol (record_copies.h), so a power cut leaves the old or the new record. The rest
// of `scratch` is the staging area a patch is downloaded into.
//
// The journal says *what* is in progress; *how far* it got is read back from flash:
// every chunk of the staged patch and of the slot is checked against the signed
// per-chunk hashes, and the install resumes at the first chunk that does not match. A
// progress counter would lie after a torn write; the hashes cannot.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "image/record_copies.h"

namespace ota::agent {

inline constexpr uint32_t kJournalMagic = 0x4C4E4A4F;  // "OJNL" in file order
inline constexpr uint16_t kJournalVersion = 1;
inline constexpr size_t kJournalSize = 128;

using Sha256 = std::array<uint8_t, 32>;

enum class Delivery : uint8_t { full = 0, delta = 1 };
enum class JournalPhase : uint8_t {
  idle = 0,         // nothing in progress
  downloading = 1,  // the patch is being downloaded into the staging area
  writing = 2,      // the slot is being written (from the staged patch or the downloaded image)
  committed = 3,    // the slot was verified and marked PENDING
};
std::string_view to_string(Delivery delivery);
std::string_view to_string(JournalPhase phase);

struct JournalRecord {
  uint32_t seq = 0;  // set by Journal::write
  JournalPhase phase = JournalPhase::idle;
  Delivery delivery = Delivery::full;
  uint8_t slot = 0;            // the slot being written: 0 = A, 1 = B
  uint16_t attempts = 0;       // starts and resumes of this install (U4 gives up after 10)
  uint32_t chunk_size = 0;     // of the payload's chunk list
  uint64_t payload_length = 0;
  Sha256 target_sha256{};      // the image file being installed
  Sha256 payload_sha256{};     // what is downloaded: the patch, or the image itself
  bool operator==(const JournalRecord&) const = default;
};

Bytes encode_journal(const JournalRecord& record);
// Errc::corrupt naming the defect unless magic, version, size, CRC, enums and reserved
// bytes are all as encode_journal writes them.
Result<JournalRecord> decode_journal(ByteView bytes);

// Where the journal and the staging area are in `scratch`.
struct ScratchArea {
  std::array<image::Region, 2> journal;   // its first and second sector
  std::optional<image::Region> staging;   // the sectors after them, if any
};
// Errc::invalid_argument when the layout has no `scratch` region or it spans fewer than
// two sectors.
Result<ScratchArea> scratch_area(const image::Layout& layout);

class Journal {
 public:
  Journal(flash::Flash& flash, const ScratchArea& area);
  // The newest valid record; nullopt when neither copy is valid (a new device).
  Result<std::optional<JournalRecord>> load();
  // C4: writes `record` under the next seq and returns that seq.
  Result<uint32_t> write(JournalRecord record);

 private:
  image::RecordCopies copies_;
};

}  // namespace ota::agent
