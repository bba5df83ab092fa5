// VCDIFF encoding (RFC 3284): the file header, then per target window the match finder's
// operations (vcdiff_match.h) written as the data, instruction and address sections with
// the default code table. The layout matches what xdelta3 3.0.11 writes with `-S none -A`.
#include <algorithm>
#include <string>
#include <vector>

#include "delta/vcdiff.h"
#include "delta/vcdiff_code_table.h"
#include "delta/vcdiff_internal.h"
#include "delta/vcdiff_match.h"

namespace ota::delta {
namespace {

using vcdiff::Op;

// xdelta3 3.0.11 refuses a target window above XD3_HARDMAXWINSIZE, 16 MiB: "hard window
// size exceeded".
constexpr uint64_t kMaxWindowBytes = uint64_t(1) << 24;

// Opcode lookup derived from the code table itself, so the two cannot disagree.
struct Opcodes {
  static constexpr int kSizes = 19;             // explicit sizes 0 (varint follows) .. 18
  int16_t single[4][kSizes][vcdiff::kModes];    // [type][size][mode]
  int16_t add_copy[5][kSizes][vcdiff::kModes];  // [add size][copy size][mode]
  int16_t copy_add[kSizes][vcdiff::kModes][5];  // [copy size][mode][add size]

  Opcodes() {
    std::fill_n(&single[0][0][0], sizeof single / sizeof(int16_t), int16_t(-1));
    std::fill_n(&add_copy[0][0][0], sizeof add_copy / sizeof(int16_t), int16_t(-1));
    std::fill_n(&copy_add[0][0][0], sizeof copy_add / sizeof(int16_t), int16_t(-1));
    const auto& table = vcdiff::default_code_table();
    for (int code = 0; code < 256; ++code) {
      const vcdiff::Inst& a = table[size_t(code)].first;
      const vcdiff::Inst& b = table[size_t(code)].second;
      if (b.type == vcdiff::kNoop) {
        if (a.type != vcdiff::kNoop) single[a.type][a.size][a.mode] = int16_t(code);
      } else if (a.type == vcdiff::kAdd && b.type == vcdiff::kCopy) {
        add_copy[a.size][b.size][b.mode] = int16_t(code);
      } else if (a.type == vcdiff::kCopy && b.type == vcdiff::kAdd) {
        copy_add[a.size][a.mode][b.size] = int16_t(code);
      }
    }
  }
};

const Opcodes& opcodes() {
  static const Opcodes table;
  return table;
}

// One operation as the instruction section sees it.
struct Inst {
  vcdiff::InstType type;
  uint8_t mode;
  uint32_t size;
};

// Writes the instruction section, pairing neighbours into the table's double
// instructions (ADD 1-4 + COPY 4-6, COPY 4 + ADD 1) wherever one exists.
void write_instructions(const std::vector<Inst>& insts, Bytes& out) {
  const Opcodes& oc = opcodes();
  auto sized = [](uint32_t size) { return size < Opcodes::kSizes ? int(size) : -1; };
  for (size_t i = 0; i < insts.size(); ++i) {
    const Inst& a = insts[i];
    if (i + 1 < insts.size()) {
      const Inst& b = insts[i + 1];
      int code = -1;
      if (a.type == vcdiff::kAdd && b.type == vcdiff::kCopy && a.size <= 4 && sized(b.size) >= 0)
        code = oc.add_copy[a.size][b.size][b.mode];
      else if (a.type == vcdiff::kCopy && b.type == vcdiff::kAdd && b.size <= 4 &&
               sized(a.size) >= 0)
        code = oc.copy_add[a.size][a.mode][b.size];
      if (code >= 0) {
        out.push_back(uint8_t(code));
        ++i;
        continue;
      }
    }
    const int exact = sized(a.size) > 0 ? oc.single[a.type][a.size][a.mode] : -1;
    if (exact >= 0) {
      out.push_back(uint8_t(exact));
    } else {
      out.push_back(uint8_t(oc.single[a.type][0][a.mode]));
      vcdiff::append_varint(out, a.size);
    }
  }
}

// One window: its header and sections, appended to `out`.
void write_window(ByteView target, const std::vector<Op>& ops, bool with_adler32, Bytes& out) {
  // The source segment spans the old bytes this window copies, so addresses stay small.
  uint64_t seg_lo = ~uint64_t(0), seg_hi = 0;
  for (const Op& op : ops)
    if (op.kind == Op::kCopySource) {
      seg_lo = std::min(seg_lo, op.from);
      seg_hi = std::max(seg_hi, op.from + op.size);
    }
  const bool has_source = seg_hi > 0;
  const uint64_t seg_len = has_source ? seg_hi - seg_lo : 0;

  Bytes data, inst, addr;
  std::vector<Inst> insts;
  insts.reserve(ops.size());
  vcdiff::AddressCache cache;
  cache.reset();
  uint64_t pos = 0;
  for (const Op& op : ops) {
    switch (op.kind) {
      case Op::kAdd:
        data.insert(data.end(), target.begin() + long(pos), target.begin() + long(pos + op.size));
        insts.push_back({vcdiff::kAdd, 0, op.size});
        break;
      case Op::kRun:
        data.push_back(target[pos]);
        insts.push_back({vcdiff::kRun, 0, op.size});
        break;
      case Op::kCopySource:
      case Op::kCopyTarget: {
        const uint64_t a = op.kind == Op::kCopySource ? op.from - seg_lo : seg_len + op.from;
        const vcdiff::AddressChoice c = vcdiff::choose_address(cache, a, seg_len + pos);
        if (c.mode >= 2 + vcdiff::kNearSize)
          addr.push_back(uint8_t(c.value));
        else
          vcdiff::append_varint(addr, c.value);
        cache.update(a);
        insts.push_back({vcdiff::kCopy, c.mode, op.size});
        break;
      }
    }
    pos += op.size;
  }
  write_instructions(insts, inst);

  Bytes body;  // the "delta encoding" of section 4.3, from the target window length on
  vcdiff::append_varint(body, target.size());
  body.push_back(0);  // Delta_Indicator: no secondary compression
  vcdiff::append_varint(body, data.size());
  vcdiff::append_varint(body, inst.size());
  vcdiff::append_varint(body, addr.size());
  if (with_adler32) {  // big-endian, after the section lengths (xdelta3-decode.h DEC_CKSUM)
    body.resize(body.size() + 4);
    vcdiff::store_be32(body.data() + body.size() - 4, vcdiff::adler32(target));
  }
  for (const Bytes* section : {&data, &inst, &addr})
    body.insert(body.end(), section->begin(), section->end());

  out.push_back(
      uint8_t((has_source ? vcdiff::kWinSource : 0) | (with_adler32 ? vcdiff::kWinAdler32 : 0)));
  if (has_source) {
    vcdiff::append_varint(out, seg_len);
    vcdiff::append_varint(out, seg_lo);
  }
  vcdiff::append_varint(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

Result<Bytes> vcdiff_encode(ByteView old_data, ByteView new_data, const VcdiffParams& params,
                            const ProgressFn& progress) {
  if (params.window_size == 0 || params.window_size > kMaxWindowBytes)
    return Error{Errc::invalid_argument,
                 "VCDIFF window size " + std::to_string(params.window_size) + " is outside 1.." +
                     std::to_string(kMaxWindowBytes) + " bytes (xdelta3 refuses larger windows)"};
  // xdelta3 3.0.11 addresses a window (source segment, then target) in 32 bits, and
  // refuses a window whose segment and target lengths overflow them.
  if (old_data.size() > (uint64_t(1) << 32) - 1 - kMaxWindowBytes)
    return Error{Errc::unsupported, "VCDIFF: an old file of " + std::to_string(old_data.size()) +
                                        " bytes is beyond the 4 GiB that xdelta3 addresses; "
                                        "use the zstd format for it"};
  Bytes out(kVcdiffMagic, kVcdiffMagic + 4);
  out.push_back(0);  // Hdr_Indicator: no secondary compressor, default code table, no app header

  const vcdiff::SourceIndex index(old_data);
  vcdiff::WindowMatcher matcher(old_data, index);
  uint64_t done = 0;
  do {  // an empty target is still one (empty) window, as xdelta3 writes it
    const uint64_t len = std::min<uint64_t>(params.window_size, new_data.size() - done);
    const ByteView window = new_data.subspan(size_t(done), size_t(len));
    write_window(window, matcher.match(window, done), params.adler32, out);
    done += len;
    if (progress) progress(done, new_data.size());
  } while (done < new_data.size());
  return out;
}

}  // namespace ota::delta
