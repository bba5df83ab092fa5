#include "agent/chunk_writer.h"

#include <algorithm>

#include "crypto/sha256.h"

namespace ota::agent {
namespace {

uint64_t chunk_length(const Payload& p, size_t k) {
  return std::min<uint64_t>(p.chunk_size, p.length - uint64_t(k) * p.chunk_size);
}

}  // namespace

Result<uint64_t> resume_offset(flash::Flash& flash, const image::Region& region, const Payload& payload, bool start_over) {
  if (start_over) return uint64_t(0);
  uint64_t verified = 0;
  Bytes buffer;
  for (size_t k = 0; k < payload.chunks.size(); ++k) {
    buffer.resize(chunk_length(payload, k));
    OTA_TRY(flash.read(region.offset + verified, buffer));
    if (crypto::sha256(buffer) != payload.chunks[k]) break;
    verified += buffer.size();
  }
  if (verified == payload.length) return verified;
  // Back to a chunk boundary where a sector starts: erasing from there loses nothing that
  // the resumed write does not rewrite.
  const auto& g = flash.geometry();
  for (uint64_t at = verified / payload.chunk_size * payload.chunk_size;; at -= payload.chunk_size) {
    if (auto sector = g.sector_at(region.offset + at); sector && sector->offset == region.offset + at) return at;
    if (at == 0) return uint64_t(0);
  }
}

Result<void> erase_for_write(flash::Flash& flash, const image::Region& region, uint64_t from, uint64_t length,
                             bool clean_tail) {
  const auto& g = flash.geometry();
  const uint64_t end = region.offset + region.size;
  uint64_t at = region.offset;
  Bytes buffer;
  while (at < end) {
    auto sector = g.sector_at(at);
    if (!sector) return Error{Errc::invalid_argument, "region '" + region.name + "' passes the end of the flash"};
    const uint64_t rel = at - region.offset;
    bool erase = false;
    if (from < length && rel + sector->size > from && rel < length) {
      erase = true;
    } else if (clean_tail && rel >= length) {
      buffer.resize(sector->size);
      OTA_TRY(flash.read(at, buffer));
      const uint8_t erased = g.device_at(at).erased;
      erase = std::any_of(buffer.begin(), buffer.end(), [&](uint8_t b) { return b != erased; });
    }
    if (erase) OTA_TRY(flash.erase(at, sector->size));
    at += sector->size;
  }
  return {};
}

ChunkWriter::ChunkWriter(flash::Flash& flash, const image::Region& region, const Payload& payload, uint64_t resume_at)
    : flash_(flash), region_(region), payload_(payload), resume_at_(resume_at) {}

Result<void> ChunkWriter::write(ByteView data) {
  while (!data.empty()) {
    const size_t k = size_t(offset_ / payload_.chunk_size);
    if (k >= payload_.chunks.size())
      return Error{Errc::rejected, "'" + payload_.name + "' would be longer than its signed " +
                                       std::to_string(payload_.length) + " bytes"};
    const size_t want = size_t(chunk_length(payload_, k)) - chunk_.size();
    const size_t take = std::min(want, data.size());
    chunk_.insert(chunk_.end(), data.begin(), data.begin() + long(take));
    data = data.subspan(take);
    if (take == want) OTA_TRY(flush_chunk());
  }
  return {};
}

Result<void> ChunkWriter::flush_chunk() {
  const size_t k = size_t(offset_ / payload_.chunk_size);
  if (crypto::sha256(chunk_) != payload_.chunks[k])
    return Error{Errc::rejected, "chunk " + std::to_string(k) + " of '" + payload_.name +
                                     "' does not match its signed hash; nothing of it was written"};
  if (offset_ >= resume_at_) {
    const flash::Device& device = flash_.geometry().device_at(region_.offset);
    const uint32_t granule = device.write_size;
    chunk_.resize((chunk_.size() + granule - 1) / granule * granule, device.erased);
    OTA_TRY(flash::program_pages(flash_, region_.offset + offset_, chunk_));
  }
  offset_ += chunk_length(payload_, k);
  chunk_.clear();
  return {};
}

Result<void> ChunkWriter::finish() {
  if (offset_ != payload_.length || !chunk_.empty())
    return Error{Errc::rejected, "'" + payload_.name + "' ended after " + std::to_string(offset_ + chunk_.size()) +
                                     " bytes; its signed length is " + std::to_string(payload_.length)};
  return {};
}

}  // namespace ota::agent
