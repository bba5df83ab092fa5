// Hand-built VCDIFF files for the decoder's rule-by-rule and hostile-input tests: any
// window header, any section bytes, lengths computed (or not) as a test needs.
#pragma once

#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "delta/vcdiff_internal.h"

namespace ota::testing::vcdiff {

using delta::vcdiff::adler32;
using delta::vcdiff::append_varint;
using delta::vcdiff::kWinAdler32;
using delta::vcdiff::kWinSource;
using delta::vcdiff::kWinTarget;
using delta::vcdiff::store_be32;

inline Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Default-table opcodes (RFC 3284 section 5.6).
constexpr uint8_t kOpRun = 0, kOpAdd = 1;                      // size follows
inline uint8_t op_add(int size) { return uint8_t(1 + size); }  // ADD 1..17
inline uint8_t op_copy(int mode, int size = 0) {               // size 0 or 4..18
  return uint8_t(19 + 16 * mode + (size == 0 ? 0 : size - 3));
}

struct Win {
  uint8_t indicator = 0;
  uint64_t segment_size = 0, segment_pos = 0, target_size = 0;
  uint8_t delta_indicator = 0;
  Bytes data, inst, addr;
  uint32_t adler = 0;  // written when indicator has kWinAdler32
};

inline Bytes window_bytes(const Win& w) {
  Bytes out{w.indicator}, enc;
  if (w.indicator & (kWinSource | kWinTarget)) {
    append_varint(out, w.segment_size);
    append_varint(out, w.segment_pos);
  }
  append_varint(enc, w.target_size);
  enc.push_back(w.delta_indicator);
  for (const Bytes* s : {&w.data, &w.inst, &w.addr}) append_varint(enc, s->size());
  if (w.indicator & kWinAdler32) {
    uint8_t b[4];
    store_be32(b, w.adler);
    enc.insert(enc.end(), b, b + 4);
  }
  for (const Bytes* s : {&w.data, &w.inst, &w.addr}) enc.insert(enc.end(), s->begin(), s->end());
  append_varint(out, enc.size());
  out.insert(out.end(), enc.begin(), enc.end());
  return out;
}

// `header` is everything after the magic: Hdr_Indicator and its optional fields.
inline Bytes craft(const std::vector<Win>& windows, const Bytes& header = {0}) {
  Bytes out{0xD6, 0xC3, 0xC4, 0x00};
  out.insert(out.end(), header.begin(), header.end());
  for (const Win& w : windows) {
    Bytes b = window_bytes(w);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

// A window that ADDs `text` (no source), with its checksum.
inline Win add_window(std::string_view text) {
  Bytes inst{kOpAdd};
  append_varint(inst, text.size());
  return Win{.indicator = kWinAdler32, .target_size = text.size(), .data = str(text),
             .inst = inst, .adler = adler32(str(text))};
}

}  // namespace ota::testing::vcdiff
