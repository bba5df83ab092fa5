// Writing a chunked payload into a flash region, resumably (docs/agent.md "Resume"):
// every chunk is checked against its signed SHA-256 before it is programmed, and what an
// earlier attempt left on flash is kept as far as it still matches.
#pragma once

#include <cstdint>

#include "agent/update_plan.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "io/storage.h"

namespace ota::agent {

// Where writing `payload` into `region` resumes: the largest chunk boundary that starts
// a sector and below which every chunk reads back matching its hash; payload.length when
// all of it does. 0 with `start_over`.
Result<uint64_t> resume_offset(flash::Flash& flash, const image::Region& region, const Payload& payload, bool start_over);

// Erases the sectors of `region` from `from` through the sector holding byte `length` - 1
// (none when from >= length); with `clean_tail`, also every later sector of the region
// that reads anything but the erased value, so a slot holds nothing but the image (I8).
Result<void> erase_for_write(flash::Flash& flash, const image::Region& region, uint64_t from, uint64_t length,
                             bool clean_tail);

// Receives the payload's bytes in order; each complete chunk is checked against its
// hash (Errc::rejected naming it otherwise, before any of it is programmed) and
// programmed when it lies at or after `resume_at` (which the caller erased). The last
// chunk is padded with the erased value to the write size.
class ChunkWriter final : public io::Writer {
 public:
  ChunkWriter(flash::Flash& flash, const image::Region& region, const Payload& payload, uint64_t resume_at);
  // The bytes will start at `offset`, a chunk boundary at or below resume_at (a download
  // that resumes does not fetch the chunks before it again).
  void start_at(uint64_t offset) { offset_ = offset; }
  Result<void> write(ByteView data) override;
  // Checks the final short chunk and that exactly payload.length bytes arrived.
  Result<void> finish();

 private:
  Result<void> flush_chunk();
  flash::Flash& flash_;
  const image::Region& region_;
  const Payload& payload_;
  uint64_t resume_at_;
  uint64_t offset_ = 0;  // of the chunk being collected
  Bytes chunk_;
};

}  // namespace ota::agent
