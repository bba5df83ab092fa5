// Hand-built patches for hostile-input tests: any control entries, any lengths.
#pragma once

#include <bzlib.h>

#include <cstring>
#include <tuple>
#include <vector>

#include "core/bytes.h"
#include "delta/bsdiff_header.h"

namespace ota::testing {

inline Bytes bzip2(const Bytes& in) {
  Bytes out(in.size() + in.size() / 100 + 600);
  unsigned int len = unsigned(out.size());
  static char empty = 0;  // bzip2 rejects a null source even for zero bytes
  char* src = in.empty() ? &empty : const_cast<char*>(reinterpret_cast<const char*>(in.data()));
  if (BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &len, src,
                               unsigned(in.size()), 9, 0, 0) != BZ_OK)
    std::abort();
  out.resize(len);
  return out;
}

struct Entry {
  int64_t add, copy, seek;
};

// A BSDIFF40 file with the given entries; header lengths may be overridden.
inline Bytes craft_bsdiff(const std::vector<Entry>& entries, const Bytes& diff, const Bytes& extra,
                          int64_t new_size) {
  Bytes ctrl;
  for (const Entry& e : entries) {
    uint8_t b[24];
    delta::store_offt(b, e.add);
    delta::store_offt(b + 8, e.copy);
    delta::store_offt(b + 16, e.seek);
    ctrl.insert(ctrl.end(), b, b + 24);
  }
  Bytes c = bzip2(ctrl), d = bzip2(diff), x = bzip2(extra);
  Bytes patch(32);
  std::memcpy(patch.data(), "BSDIFF40", 8);
  delta::store_offt(patch.data() + 8, int64_t(c.size()));
  delta::store_offt(patch.data() + 16, int64_t(d.size()));
  delta::store_offt(patch.data() + 24, new_size);
  for (const Bytes* s : {&c, &d, &x}) patch.insert(patch.end(), s->begin(), s->end());
  return patch;
}

}  // namespace ota::testing
