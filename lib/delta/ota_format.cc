#include <lzma.h>

#include <cstring>
#include <string>

#include "delta/ota_patch.h"

namespace ota::delta {
namespace {

constexpr size_t kStreamsAt = 96, kStreamBytes = 24, kCrcAt = 168;
const char* const kStreamNames[3] = {"control", "diff", "extra"};

uint32_t header_crc(const uint8_t* header) {
  return lzma_crc32(header, kCrcAt, 0);  // the CRC-32 of zlib and xz
}

}  // namespace

std::string_view to_string(BranchFilter filter) {
  switch (filter) {
    case BranchFilter::kNone: return "none";
    case BranchFilter::kX86: return "x86";
  }
  return "unknown";
}

void store_ota_header(const OtaHeader& h, uint8_t out[kOtaHeaderBytes]) {
  std::memset(out, 0, kOtaHeaderBytes);
  std::memcpy(out, kOtaMagic, 8);
  out[8] = h.version;
  out[9] = h.method;
  out[10] = h.coding;
  out[11] = uint8_t(h.filter);
  store_le32(out + 12, uint32_t(kOtaHeaderBytes));
  store_le64(out + 16, h.old_size);
  store_le64(out + 24, h.new_size);
  std::memcpy(out + 32, h.old_sha256.data(), 32);
  std::memcpy(out + 64, h.new_sha256.data(), 32);
  const OtaStreamInfo* streams[3] = {&h.ctrl, &h.diff, &h.extra};
  for (int i = 0; i < 3; ++i) {
    uint8_t* s = out + kStreamsAt + kStreamBytes * size_t(i);
    store_le64(s, streams[i]->coded_bytes);
    store_le64(s + 8, streams[i]->raw_bytes);
    store_le32(s + 16, streams[i]->dict_bytes);
  }
  store_le32(out + kCrcAt, header_crc(out));
}

Result<OtaHeader> parse_ota_header(ByteView patch) {
  if (patch.size() < 8 || std::memcmp(patch.data(), kOtaMagic, 8) != 0)
    return Error{Errc::corrupt, "not an ota delta: the OTADELTA magic is missing"};
  if (patch.size() < 12)
    return Error{Errc::corrupt, "the ota delta header is truncated (" + std::to_string(patch.size()) +
                                    " of " + std::to_string(kOtaHeaderBytes) + " bytes)"};
  const uint8_t* p = patch.data();
  if (p[8] != kOtaFormatVersion)
    return Error{Errc::unsupported, "ota delta format version " + std::to_string(p[8]) +
                                        " is not supported; this build reads version " +
                                        std::to_string(kOtaFormatVersion)};
  if (patch.size() < kOtaHeaderBytes)
    return Error{Errc::corrupt, "the ota delta header is truncated (" + std::to_string(patch.size()) +
                                    " of " + std::to_string(kOtaHeaderBytes) + " bytes)"};
  if (load_le32(p + kCrcAt) != header_crc(p))
    return Error{Errc::corrupt, "the ota delta header is corrupt (CRC-32 mismatch)"};
  if (load_le32(p + 12) != kOtaHeaderBytes)
    return Error{Errc::corrupt, "the ota delta header declares " + std::to_string(load_le32(p + 12)) +
                                    " header bytes; version 1 has " + std::to_string(kOtaHeaderBytes)};
  OtaHeader h;
  h.version = p[8];
  h.method = p[9];
  h.coding = p[10];
  if (h.method != kOtaMethodBsdiffStreams)
    return Error{Errc::unsupported, "ota delta method " + std::to_string(h.method) +
                                        " is not supported; this build reads method 1 (bsdiff streams)"};
  if (h.coding != kOtaCodingLzma2)
    return Error{Errc::unsupported, "ota delta stream coding " + std::to_string(h.coding) +
                                        " is not supported; this build reads coding 1 (LZMA2)"};
  if (p[11] > uint8_t(BranchFilter::kX86))
    return Error{Errc::unsupported, "ota delta branch filter " + std::to_string(p[11]) +
                                        " is not supported; this build reads 0 (none) and 1 (x86)"};
  h.filter = BranchFilter(p[11]);
  h.old_size = load_le64(p + 16);
  h.new_size = load_le64(p + 24);
  std::memcpy(h.old_sha256.data(), p + 32, 32);
  std::memcpy(h.new_sha256.data(), p + 64, 32);
  OtaStreamInfo* streams[3] = {&h.ctrl, &h.diff, &h.extra};
  uint64_t coded_total = 0;
  for (int i = 0; i < 3; ++i) {
    const uint8_t* s = p + kStreamsAt + kStreamBytes * size_t(i);
    streams[i]->coded_bytes = load_le64(s);
    streams[i]->raw_bytes = load_le64(s + 8);
    streams[i]->dict_bytes = load_le32(s + 16);
    if (load_le32(s + 20) != 0)
      return Error{Errc::corrupt, std::string("the ota delta's ") + kStreamNames[i] +
                                      " stream descriptor has a non-zero reserved field"};
    if (streams[i]->dict_bytes < 4096 || streams[i]->dict_bytes > kOtaMaxDictBytes)
      return Error{Errc::corrupt, std::string("the ota delta's ") + kStreamNames[i] +
                                      " stream asks for an LZMA2 dictionary of " +
                                      std::to_string(streams[i]->dict_bytes) + " bytes; 4 KiB to " +
                                      std::to_string(kOtaMaxDictBytes >> 20) + " MiB are allowed"};
    if (streams[i]->coded_bytes > patch.size())
      return Error{Errc::corrupt, std::string("the ota delta's ") + kStreamNames[i] +
                                      " stream is longer than the patch (truncated?)"};
    coded_total += streams[i]->coded_bytes;
  }
  // Every diff byte belongs to a copy and every extra byte is output: together they
  // are the output.
  if (h.diff.raw_bytes > h.new_size || h.new_size - h.diff.raw_bytes != h.extra.raw_bytes)
    return Error{Errc::corrupt, "the ota delta's diff and extra streams (" +
                                    std::to_string(h.diff.raw_bytes) + " + " +
                                    std::to_string(h.extra.raw_bytes) + " bytes) do not add up to the " +
                                    std::to_string(h.new_size) + "-byte target"};
  if (coded_total + kOtaHeaderBytes != patch.size())
    return Error{Errc::corrupt, "the ota delta's streams take " + std::to_string(coded_total) +
                                    " bytes but the patch has " +
                                    std::to_string(patch.size() - kOtaHeaderBytes) +
                                    " after its header (truncated or trailing data)"};
  return h;
}

}  // namespace ota::delta
