#include "image/record_copies.h"

#include <zlib.h>

#include <algorithm>

#include "core/hex.h"

namespace ota::image {

uint32_t crc32_ieee(ByteView bytes) {
  return static_cast<uint32_t>(::crc32(::crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(bytes.size())));
}

// RFC 1982 with SERIAL_BITS = 32: a is newer when (a - b) mod 2^32 is in (0, 2^31).
// Comparing as plain integers (or through a narrower type) breaks at the wrap (fwup#214).
bool seq_newer(uint32_t a, uint32_t b) {
  const uint32_t distance = a - b;
  return distance != 0 && distance < 0x80000000u;
}

RecordCopies::RecordCopies(flash::Flash& flash, std::vector<Region> copies, size_t record_size, SeqOfRecord seq_of,
                           std::string what)
    : flash_(flash), copies_(std::move(copies)), record_size_(record_size), seq_of_(std::move(seq_of)), what_(std::move(what)) {}

Result<RecordScan> RecordCopies::scan() {
  RecordScan out;
  for (size_t i = 0; i < copies_.size(); ++i) {
    RecordCopy copy;
    copy.index = i;
    const Region& region = copies_[i];
    const uint8_t erased = flash_.geometry().device_at(region.offset).erased;
    if (region.size < record_size_) {
      copy.problem = "region '" + region.name + "' is smaller than " + std::to_string(record_size_) + " bytes";
      out.copies.push_back(std::move(copy));
      continue;
    }
    copy.raw.assign(record_size_, 0);
    if (auto read = flash_.read(region.offset, copy.raw); !read)
      return std::move(read).error().with_context("reading " + region.name);
    if (std::all_of(copy.raw.begin(), copy.raw.end(), [&](uint8_t b) { return b == erased; })) {
      copy.problem = "erased";
    } else if (auto seq = seq_of_(copy.raw); !seq) {
      copy.problem = seq.error().message;
    } else {
      copy.valid = true;
      copy.seq = *seq;
    }
    out.copies.push_back(std::move(copy));
  }
  for (size_t i = 0; i < out.copies.size(); ++i) {
    const RecordCopy& c = out.copies[i];
    if (!c.valid) continue;
    if (!out.current) {
      out.current = i;
      continue;
    }
    const RecordCopy& best = out.copies[*out.current];
    if (seq_newer(c.seq, best.seq)) {
      out.current = i;
    } else if (c.seq == best.seq && c.raw != best.raw) {
      // Two writers or a bug produced two different records under one seq: keep the
      // lower copy, deterministically, and say so.
      out.warnings.push_back(copies_[i].name + " and " + copies_[*out.current].name +
                             " hold different records with the same seq " + std::to_string(c.seq) + "; using " +
                             copies_[*out.current].name);
    }
  }
  return out;
}

Result<uint32_t> RecordCopies::write(const std::function<Bytes(uint32_t seq)>& encode) {
  if (copies_.size() < 2)
    return Error{Errc::invalid_argument, "the " + what_ + " needs at least 2 copies, the layout gives " +
                                             std::to_string(copies_.size())};
  auto scanned = scan();
  if (!scanned) return std::move(scanned).error().with_context("writing the " + what_);
  const auto& copies = scanned->copies;
  const uint32_t seq = scanned->current ? copies[*scanned->current].seq + 1 : 1;
  const Bytes encoded = encode(seq);
  // Refuse to write what no reader would accept (it would only cost a good old copy).
  if (encoded.size() != record_size_)
    return Error{Errc::invalid_argument, "refusing to write a " + what_ + " of " + std::to_string(encoded.size()) + " bytes"};
  if (auto check = seq_of_(encoded); !check || *check != seq)
    return Error{Errc::invalid_argument,
                 "refusing to write an invalid " + what_ + ": " + (check ? "wrong seq" : check.error().message)};

  // Target: the first invalid copy, else the oldest valid one; never the current copy,
  // so a cut anywhere below leaves the current record intact and selectable.
  std::optional<size_t> target;
  for (size_t i = 0; i < copies.size() && !target; ++i)
    if (!copies[i].valid) target = i;
  for (size_t i = 0; i < copies.size() && !target.has_value(); ++i) {
    if (i == *scanned->current) continue;
    bool oldest = true;
    for (size_t j = 0; j < copies.size(); ++j)
      if (j != i && seq_newer(copies[i].seq, copies[j].seq)) oldest = false;
    if (oldest) target = i;
  }
  if (!target)  // cyclic seqs among 3+ copies: any non-current copy is safe to reuse
    target = *scanned->current == 0 ? 1 : 0;
  const Region& region = copies_[*target];
  const std::string context = "writing " + region.name;

  if (auto erased = flash_.erase(region.offset, region.size); !erased) return std::move(erased).error().with_context(context);
  if (auto programmed = flash::program_pages(flash_, region.offset, encoded); !programmed)
    return std::move(programmed).error().with_context(context);
  Bytes back(record_size_, 0);
  if (auto read = flash_.read(region.offset, back); !read) return std::move(read).error().with_context(context);
  if (back != encoded)
    return Error{Errc::io, "read-back of " + region.name + " differs from the " + what_ + " written at " +
                               hex_number(region.offset) + "; the flash may be worn"};
  return seq;
}

}  // namespace ota::image
