// MemFlash: an in-memory flash device that enforces BOOT-SPEC F3/F4 exactly, the way
// MCUboot's SimFlash does, so a test fails on any program or erase real NOR would refuse.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"

namespace ota::flash {

// Every device of `geometry` erased, end to end (what a new MemFlash holds).
Bytes erased_image(const Geometry& geometry);

class MemFlash final : public Flash {
 public:
  // A fully erased device of geometry.size() bytes.
  explicit MemFlash(Geometry geometry, ProgramRule rule = ProgramRule::strict);
  // A device holding `contents` (asserts contents.size() == geometry.size(); use
  // from_image for untrusted sizes). Granules whose bytes differ from the erased value
  // start marked as programmed, as if a program had written them.
  MemFlash(Geometry geometry, Bytes contents, ProgramRule rule = ProgramRule::strict);
  // As above; Errc::invalid_argument when the size does not match the geometry.
  static Result<MemFlash> from_image(Geometry geometry, Bytes contents,
                                     ProgramRule rule = ProgramRule::strict);

  const Geometry& geometry() const override { return geometry_; }
  ProgramRule rule() const { return rule_; }

  // Errc::invalid_argument outside the device.
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  // F4. Errc::invalid_argument: empty, misaligned, outside the device, or crossing a
  // page. Errc::rejected: strict mode and a granule already programmed since its erase;
  // nor mode and a bit would move back toward the erased value ("needs erase").
  // On error nothing changes.
  Result<void> program(uint64_t offset, ByteView data) override;
  // F3. Errc::invalid_argument unless [offset, offset + length) is whole sectors. Sets
  // the bytes to the erased value, clears their "programmed" marks and counts one erase
  // for each sector.
  Result<void> erase(uint64_t offset, uint64_t length) override;

  // The checks program()/erase() make, without doing anything: a fault injector uses
  // them to tear only operations the device would have started.
  Result<void> check_program(uint64_t offset, ByteView data) const;
  Result<void> check_erase(uint64_t offset, uint64_t length) const;

  // Fault injection and image loading; not operations (programs()/erases() unchanged).
  // poke writes raw bytes, bypassing every rule (asserts the range is inside the device).
  // Each granule it touches that now differs from the erased value is marked programmed;
  // a granule that reads erased keeps its previous mark, so a poke never makes a granule
  // that was really programmed look programmable again.
  void poke(uint64_t offset, ByteView data);
  // Marks the granules overlapping [offset, offset + length) as programmed since erase
  // (a torn program counts as a program even when no bit changed).
  void mark_programmed(uint64_t offset, uint64_t length);
  bool programmed(uint64_t offset) const;  // the mark of the granule holding `offset`

  // F5 unstable cells: reads of the granule at `offset` (its device's write_size bytes from
  // `old_bytes`/`new_bytes`) return, per read and per bit, either the old or the new
  // value (seeded), until the granule is erased or successfully programmed again. The
  // stored bytes (bytes(), the program rule) keep what poke left.
  void make_unstable(uint64_t offset, ByteView old_bytes, ByteView new_bytes, uint64_t seed);
  bool unstable(uint64_t offset) const;

  const Bytes& bytes() const { return bytes_; }
  uint64_t erase_count(size_t sector_index) const;  // erases of that sector so far
  // Fault injection: a sector with a wear history (F7's wear-out scenarios).
  void set_erase_count(size_t sector_index, uint64_t count) { erase_counts_.at(sector_index) = count; }
  uint64_t programs() const { return programs_; }  // successful program() calls
  uint64_t erases() const { return erases_; }      // successful erase() calls

 private:
  Geometry geometry_;
  ProgramRule rule_;
  Bytes bytes_;
  // Where each device lies, and where its granules start in programmed_.
  struct Span {
    uint64_t base = 0, end = 0;
    uint32_t ws = 1, page = 0;
    uint8_t erased = 0xFF;
    size_t granule_base = 0;
  };
  const Span& span_at(uint64_t offset) const;
  size_t granule(uint64_t offset) const;  // index into programmed_

  std::vector<Span> spans_;
  std::vector<bool> programmed_;  // one per write_size granule: programmed since erase
  std::vector<uint64_t> erase_counts_;
  struct UnstableCell {
    Bytes old_bytes, new_bytes;
    uint64_t seed = 0;
  };
  std::map<uint64_t, UnstableCell> unstable_;  // by the granule's offset
  uint64_t reads_ = 0;                         // varies what unstable cells return
  uint64_t programs_ = 0;
  uint64_t erases_ = 0;
};

}  // namespace ota::flash
