// VCDIFF (RFC 3284) decoder with xdelta3's extensions: application header, Adler-32
// window checksums, LZMA secondary compression. A first pass parses the file header and
// every window header (inspect_vcdiff), so sizes are checked against the limits before
// anything is written; the second pass decodes window by window into one window buffer
// and streams it out. Every size, address and section read is bounds-checked.
#include <algorithm>
#include <array>
#include <string>

#include "delta/vcdiff.h"
#include "delta/vcdiff_code_table.h"
#include "delta/vcdiff_internal.h"
#include "delta/vcdiff_lzma.h"

namespace ota::delta {
namespace {

using namespace vcdiff;

std::string hex(uint32_t v, int digits) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i) s += kDigits[(v >> (4 * i)) & 15];
  return s;
}
std::string hex8(uint8_t v) { return hex(v, 2); }
std::string hex32(uint32_t v) { return hex(v, 8); }

struct FileHeader {
  uint8_t indicator = 0;
  uint8_t secondary_id = 0;  // when indicator has kHdrDecompress
  ByteView app_header;
  size_t size = 0;  // where the first window starts
};

struct Window {
  uint64_t index = 0;
  uint8_t indicator = 0, delta_indicator = 0;
  uint64_t segment_size = 0, segment_pos = 0, target_size = 0;
  uint32_t adler = 0;  // when indicator has kWinAdler32
  ByteView data, inst, addr;
  size_t end = 0;  // where the next window starts
};

Error header_error(const std::string& what) {
  return Error{Errc::corrupt, "the VCDIFF header " + what + ": the patch is corrupt"};
}

Result<FileHeader> parse_file_header(ByteView p) {
  if (p.size() >= 4 && p[0] == 0xD6 && p[1] == 0xC3 && p[2] == 0xC4 && p[3] != 0)
    return Error{Errc::unsupported, "VCDIFF version " + std::to_string(p[3]) +
                                        " is not supported; only version 0 (RFC 3284) is"};
  if (!is_vcdiff_magic(p))
    return Error{Errc::corrupt, "not a VCDIFF patch: it does not start with D6 C3 C4 00"};
  FileHeader h;
  ByteCursor c(p, 4);
  uint64_t len = 0;
  ByteView skipped;
  if (!c.byte(h.indicator)) return header_error("is truncated before its Hdr_Indicator");
  if (h.indicator & ~(kHdrDecompress | kHdrCodeTable | kHdrAppHeader))
    return header_error("indicator " + hex8(h.indicator) + " has unknown bits set");
  if ((h.indicator & kHdrDecompress) && !c.byte(h.secondary_id))
    return header_error("is truncated before its secondary compressor id");
  if ((h.indicator & kHdrCodeTable) && !(c.varint(len) && c.take(len, skipped)))
    return header_error("code table runs past the end of the patch");
  if ((h.indicator & kHdrAppHeader) && !(c.varint(len) && c.take(len, h.app_header)))
    return header_error("application header runs past the end of the patch");
  h.size = c.pos();
  return h;
}

// One window at `offset`: its header, and views of its three sections in `p`.
Result<Window> parse_window(ByteView p, size_t offset, uint64_t index, bool secondary) {
  Window w;
  w.index = index;
  auto bad = [&](const std::string& what) {
    return Error{Errc::corrupt, "window " + std::to_string(index) + " (at patch offset " +
                                    std::to_string(offset) + "): " + what +
                                    ": the patch is truncated or corrupt"};
  };
  ByteCursor c(p, offset);
  uint64_t enc_size = 0;
  ByteView enc;
  if (!c.byte(w.indicator)) return bad("no window indicator");
  if (w.indicator & ~(kWinSource | kWinTarget | kWinAdler32))
    return bad("Win_Indicator " + hex8(w.indicator) + " has unknown bits set");
  if ((w.indicator & kWinSource) && (w.indicator & kWinTarget))
    return bad("both VCD_SOURCE and VCD_TARGET are set");
  if ((w.indicator & (kWinSource | kWinTarget)) &&
      !(c.varint(w.segment_size) && c.varint(w.segment_pos)))
    return bad("the source segment size or position is truncated or over 64 bits");
  if (w.segment_pos + w.segment_size < w.segment_pos) return bad("the segment overflows 64 bits");
  if (!c.varint(enc_size)) return bad("the delta encoding length is truncated");
  if (!c.take(enc_size, enc))
    return bad("the " + std::to_string(enc_size) + "-byte delta encoding runs past the end");
  ByteCursor d(enc);
  uint64_t data_len = 0, inst_len = 0, addr_len = 0;
  if (!d.varint(w.target_size) || !d.byte(w.delta_indicator) || !d.varint(data_len) ||
      !d.varint(inst_len) || !d.varint(addr_len))
    return bad("the delta encoding ends inside its lengths");
  if (w.delta_indicator & ~(kDataComp | kInstComp | kAddrComp))
    return bad("Delta_Indicator " + hex8(w.delta_indicator) + " has unknown bits set");
  if (w.delta_indicator != 0 && !secondary)
    return bad("Delta_Indicator marks compressed sections, but the header names no compressor");
  ByteView sum;
  if (w.indicator & kWinAdler32) {
    if (!d.take(4, sum)) return bad("the delta encoding ends inside the adler32 checksum");
    w.adler = load_be32(sum.data());
  }
  const uint64_t room = d.left();
  if (data_len > room || inst_len > room - data_len || addr_len > room - data_len - inst_len)
    return bad("sections of " + std::to_string(data_len) + " + " + std::to_string(inst_len) +
               " + " + std::to_string(addr_len) + " bytes do not fit the " +
               std::to_string(room) + " bytes left in the delta encoding");
  (void)d.take(data_len, w.data);
  (void)d.take(inst_len, w.inst);
  (void)d.take(addr_len, w.addr);
  if (d.left() != 0)
    return bad(std::to_string(d.left()) + " unexpected bytes follow the address section");
  w.end = c.pos();
  return w;
}

struct Scan {
  FileHeader header;
  VcdiffInfo info;
  bool target_segments = false;  // some window copies from earlier output (VCD_TARGET)
};

Result<Scan> scan(ByteView p) {
  Scan s;
  auto header = parse_file_header(p);
  if (!header) return std::move(header).error();
  s.header = *header;
  VcdiffInfo& info = s.info;
  const bool secondary = (header->indicator & kHdrDecompress) != 0;
  if (secondary) {
    switch (header->secondary_id) {
      case kSecondaryLzma: info.secondary = "lzma"; break;
      case kSecondaryDjw: info.secondary = "djw"; break;
      case kSecondaryFgk: info.secondary = "fgk"; break;
      default:
        return Error{Errc::unsupported, "the patch uses secondary compressor id " +
                                            std::to_string(header->secondary_id) +
                                            ", which is unknown (xdelta3 writes 2 = lzma, "
                                            "1 = djw, 16 = fgk)"};
    }
  }
  info.custom_code_table = (header->indicator & kHdrCodeTable) != 0;
  if (header->indicator & kHdrAppHeader)
    info.app_header = Bytes(header->app_header.begin(), header->app_header.end());
  info.adler32 = true;
  for (size_t pos = header->size; pos < p.size(); ++info.windows) {
    auto w = parse_window(p, pos, info.windows, secondary);
    if (!w) return std::move(w).error();
    if ((w->indicator & kWinTarget) && w->segment_pos + w->segment_size > info.target_size)
      return Error{Errc::corrupt, "window " + std::to_string(w->index) +
                                      ": its VCD_TARGET segment ends at " +
                                      std::to_string(w->segment_pos + w->segment_size) +
                                      ", past the " + std::to_string(info.target_size) +
                                      " bytes decoded before it: the patch is corrupt"};
    s.target_segments |= (w->indicator & kWinTarget) != 0;
    info.adler32 &= (w->indicator & kWinAdler32) != 0;
    if (info.target_size + w->target_size < info.target_size)
      return Error{Errc::corrupt, "the windows' target lengths overflow 64 bits"};
    info.target_size += w->target_size;
    pos = w->end;
  }
  if (info.windows == 0)
    return Error{Errc::corrupt, "the patch ends after its VCDIFF header, with no window (xdelta3 "
                                "writes one even for an empty target): it is truncated"};
  return s;
}

// Executes one window's instructions (RFC 3284 sections 5.3-5.4), appending the target
// window to `t`. `segment` is the source segment (from OLD or from earlier output).
class WindowDecoder {
 public:
  WindowDecoder(const Window& w, ByteView segment, ByteView data, ByteView inst, ByteView addr)
      : w_(w), segment_(segment), data_(data), inst_(inst), addr_(addr) {}

  Result<void> run(Bytes& t) {
    const auto& table = default_code_table();
    AddressCache cache;
    cache.reset();
    while (inst_.left() > 0) {
      at_ = inst_.pos();
      uint8_t opcode = 0;
      (void)inst_.byte(opcode);
      for (const Inst& half : {table[opcode].first, table[opcode].second}) {
        if (half.type == kNoop) continue;
        uint64_t size = half.size;
        if (size == 0 && !inst_.varint(size)) return bad("its size is truncated");
        if (size > w_.target_size - t.size())
          return bad(kind(half) + " of " + std::to_string(size) + " bytes at target offset " +
                     std::to_string(t.size()) + " overruns the " +
                     std::to_string(w_.target_size) + "-byte target window");
        if (half.type == kAdd) {
          ByteView bytes;
          if (!data_.take(size, bytes))
            return bad("ADD needs more bytes than the data section has");
          t.insert(t.end(), bytes.begin(), bytes.end());
        } else if (half.type == kRun) {
          uint8_t b = 0;
          if (!data_.byte(b)) return bad("RUN finds the data section empty");
          t.insert(t.end(), size_t(size), b);
        } else {
          OTA_TRY(copy(half.mode, size, cache, t));
        }
      }
    }
    if (t.size() != w_.target_size)
      return Error{Errc::corrupt, where() + ": the instructions produce " +
                                      std::to_string(t.size()) + " bytes, not the declared " +
                                      std::to_string(w_.target_size)};
    if (data_.left() != 0 || addr_.left() != 0)
      return Error{Errc::corrupt, where() + ": " + std::to_string(data_.left()) + " data and " +
                                      std::to_string(addr_.left()) +
                                      " address bytes are left unused: the patch is corrupt"};
    return {};
  }

 private:
  std::string where() const { return "window " + std::to_string(w_.index); }
  static std::string kind(const Inst& i) {
    return i.type == kAdd ? "ADD" : i.type == kRun ? "RUN" : "COPY";
  }
  Error bad(const std::string& what) const {
    return Error{Errc::corrupt, where() + ", instruction at inst offset " + std::to_string(at_) +
                                    ": " + what + ": the patch is corrupt"};
  }

  Result<void> copy(uint8_t mode, uint64_t size, AddressCache& cache, Bytes& t) {
    const uint64_t here = segment_.size() + t.size();
    uint64_t addr = 0, v = 0;
    uint8_t b = 0;
    if (mode >= 2 + kNearSize) {  // SAME: one byte picks an entry (section 5.3)
      if (!addr_.byte(b)) return bad("the address section is exhausted");
      addr = cache.same((mode - 2 - kNearSize) * 256 + b);
    } else {
      if (!addr_.varint(v)) return bad("the address section is exhausted or holds a bad integer");
      if (mode == 0) addr = v;                                 // SELF
      else if (mode == 1) addr = v <= here ? here - v : here;  // HERE (here = invalid below)
      else addr = cache.near(mode - 2) + v;                    // NEAR
      if (mode >= 2 && addr < v) return bad("a NEAR address overflows 64 bits");
    }
    cache.update(addr);
    if (addr >= here)
      return bad("COPY address " + std::to_string(addr) + " (mode " + std::to_string(mode) +
                 ") is not before the current position " + std::to_string(here));
    if (addr < segment_.size()) {
      // RFC 3284 section 3: a COPY lies entirely in the segment or entirely in the target.
      if (size > segment_.size() - addr)
        return bad("COPY of " + std::to_string(size) + " bytes from segment address " +
                   std::to_string(addr) + " runs past the " + std::to_string(segment_.size()) +
                   "-byte source segment");
      t.insert(t.end(), segment_.begin() + long(addr), segment_.begin() + long(addr + size));
      return {};
    }
    const size_t from = size_t(addr - segment_.size()), start = t.size(), n = size_t(size);
    if (from + n <= start) {
      t.insert(t.end(), t.begin() + long(from), t.begin() + long(from + n));
    } else {  // overlaps the bytes it produces: byte by byte, a periodic repeat
      t.resize(start + n);
      for (size_t i = 0; i < n; ++i) t[start + i] = t[from + i];
    }
    return {};
  }

  const Window& w_;
  ByteView segment_;
  ByteCursor data_, inst_, addr_;
  size_t at_ = 0;
};

std::string unsupported_secondary(const std::string& name) {
  return "secondary compressor '" + name + "' (xdelta3 -S " + name +
         ") is not supported; re-encode with -S none or the default (lzma)";
}

}  // namespace

Result<VcdiffInfo> inspect_vcdiff(ByteView payload) {
  auto s = scan(payload);
  if (!s) return std::move(s).error();
  return std::move(s->info);
}

Result<uint64_t> vcdiff_apply(ByteView old_data, ByteView payload, io::Writer& out,
                              const ApplyLimits& limits, const ProgressFn& progress) {
  auto s = scan(payload);
  if (!s) return std::move(s).error();
  const VcdiffInfo& info = s->info;
  if (info.custom_code_table)
    return Error{Errc::unsupported, "the patch defines its own code table (VCD_CODETABLE), which "
                                    "is not supported; only the RFC 3284 default table is"};
  if (info.secondary && *info.secondary != "lzma")
    return Error{Errc::unsupported, unsupported_secondary(*info.secondary)};
  if (info.target_size > limits.max_output_bytes)
    return Error{Errc::too_large, "the patch declares a " + std::to_string(info.target_size) +
                                      "-byte output, over the " +
                                      std::to_string(limits.max_output_bytes) +
                                      "-byte limit; raise --max-output if this is intended"};

  // VCD_TARGET windows copy from earlier output: keep all of it (at most the total
  // checked above) only when some window does.
  Bytes history, window;
  std::array<LzmaSectionDecoder, 3> lzma;
  std::array<Bytes, 3> decoded;
  static const char* const kSectionNames[3] = {"data", "inst", "addr"};
  uint64_t written = 0;
  for (size_t pos = s->header.size, index = 0; pos < payload.size(); ++index) {
    auto w = parse_window(payload, pos, index, s->header.indicator & kHdrDecompress);
    if (!w) return std::move(w).error();  // cannot happen: scan() parsed it
    pos = w->end;
    const std::string where = "window " + std::to_string(index);
    ByteView segment;
    if (w->indicator & kWinSource) {
      if (w->segment_pos > old_data.size() || w->segment_size > old_data.size() - w->segment_pos)
        return Error{Errc::corrupt, where + ": its source segment [" +
                                        std::to_string(w->segment_pos) + ", " +
                                        std::to_string(w->segment_pos + w->segment_size) +
                                        ") lies outside the " + std::to_string(old_data.size()) +
                                        "-byte source: wrong source file, or a corrupt patch"};
      segment = old_data.subspan(size_t(w->segment_pos), size_t(w->segment_size));
    } else if (w->indicator & kWinTarget) {
      segment = ByteView(history).subspan(size_t(w->segment_pos), size_t(w->segment_size));
    }
    // Sections decode to at most: data, one byte per target byte; inst and addr, one
    // opcode or address (of up to 10 bytes) per instruction of at least one byte.
    ByteView sections[3] = {w->data, w->inst, w->addr};
    const uint64_t bound[3] = {w->target_size, 11 * w->target_size + 64,
                               kMaxVarintBytes * w->target_size + 64};
    for (int k = 0; k < 3; ++k) {
      if (!(w->delta_indicator & (1 << k))) continue;
      OTA_TRY(lzma[size_t(k)].decode(sections[k], bound[k], decoded[size_t(k)],
                                     where + ": the LZMA-compressed " + kSectionNames[k] +
                                         " section"));
      sections[k] = decoded[size_t(k)];
    }
    window.clear();
    window.reserve(size_t(std::min<uint64_t>(w->target_size, uint64_t(16) << 20)));
    OTA_TRY(WindowDecoder(*w, segment, sections[0], sections[1], sections[2]).run(window));
    if (w->indicator & kWinAdler32) {
      const uint32_t got = vcdiff::adler32(window);
      if (got != w->adler)
        return Error{Errc::corrupt, where + ": adler32 mismatch (the window says " +
                                        hex32(w->adler) + ", its output sums to " + hex32(got) +
                                        "): the patch is corrupt, or OLD is not its source"};
    }
    OTA_TRY(out.write(window));
    if (s->target_segments) history.insert(history.end(), window.begin(), window.end());
    written += window.size();
    if (progress) progress(written, info.target_size);
  }
  return written;
}

}  // namespace ota::delta
