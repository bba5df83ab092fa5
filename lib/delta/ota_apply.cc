// Streaming decoder of the ota container: three raw LZMA2 streams read in step, the
// output written in bounded chunks (memory: the three dictionaries, a filtered copy
// of the source when the patch uses a branch filter, and 64 KiB buffers). Every
// control entry is checked against the source and the declared target size first.
#include <lzma.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "delta/ota_patch.h"

namespace ota::delta {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
constexpr int kMaxConsecutiveEmptyEntries = 1024;  // as in bsdiff_apply.cc

class LzmaSource {
 public:
  LzmaSource(ByteView coded, const OtaStreamInfo& info, const char* name)
      : coded_(coded), raw_(info.raw_bytes), name_(name) {
    lzma_options_lzma opts{};
    opts.dict_size = info.dict_bytes;
    const lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opts}, {LZMA_VLI_UNKNOWN, nullptr}};
    ok_ = lzma_raw_decoder(&strm_, filters) == LZMA_OK;
    strm_.next_in = coded.data();
    strm_.avail_in = coded.size();
  }
  ~LzmaSource() { lzma_end(&strm_); }
  LzmaSource(const LzmaSource&) = delete;
  LzmaSource& operator=(const LzmaSource&) = delete;

  // Exactly `size` bytes, or an error naming the stream.
  Result<void> read(uint8_t* dst, size_t size) {
    while (size > 0) {
      if (at_ == filled_) OTA_TRY(refill());
      const size_t n = std::min(size, filled_ - at_);
      std::memcpy(dst, buf_ + at_, n);
      at_ += n;
      dst += n;
      size -= n;
    }
    return {};
  }
  Result<uint8_t> byte() {
    if (at_ == filled_) OTA_TRY(refill());
    return buf_[at_++];
  }

  // After the last control entry: every declared byte used, the LZMA2 end marker
  // reached, and no coded byte left over.
  Result<void> finish() {
    if (at_ != filled_ || produced_ != raw_)
      return Error{Errc::corrupt, "the " + std::string(name_) +
                                      " stream holds more data than the control entries use: "
                                      "the patch is corrupt"};
    if (!ended_) {
      uint8_t probe;
      strm_.next_out = &probe;
      strm_.avail_out = 1;
      const lzma_ret rc = lzma_code(&strm_, LZMA_RUN);
      if (rc != LZMA_STREAM_END || strm_.avail_out == 0)
        return Error{Errc::corrupt, "the " + std::string(name_) +
                                        " stream does not end where its declared size says: "
                                        "the patch is corrupt"};
      ended_ = true;
    }
    if (strm_.avail_in != 0)
      return Error{Errc::corrupt, std::to_string(strm_.avail_in) + " unexpected bytes follow the " +
                                      std::string(name_) + " stream: the patch is corrupt"};
    return {};
  }

 private:
  Result<void> refill() {
    if (!ok_) return Error{Errc::io, "the LZMA2 decoder could not start (out of memory?)"};
    if (produced_ == raw_ || ended_)
      return Error{Errc::corrupt, "the " + std::string(name_) +
                                      " stream ends before the control entries are satisfied: "
                                      "the patch is truncated or corrupt"};
    // Never decode past the declared size: a stream that holds more is caught by
    // finish(), and a hostile one cannot make us produce unbounded data.
    const size_t want = size_t(std::min<uint64_t>(sizeof buf_, raw_ - produced_));
    strm_.next_out = buf_;
    strm_.avail_out = want;
    while (strm_.avail_out > 0) {
      const lzma_ret rc = lzma_code(&strm_, LZMA_RUN);
      if (rc == LZMA_STREAM_END) {
        ended_ = true;
        break;
      }
      if (rc == LZMA_MEM_ERROR) return Error{Errc::io, "out of memory decoding LZMA2"};
      if (rc != LZMA_OK)
        return Error{Errc::corrupt, "the " + std::string(name_) +
                                        " stream is not valid LZMA2 data (liblzma error " +
                                        std::to_string(int(rc)) + "): the patch is corrupt"};
      if (strm_.avail_in == 0 && strm_.avail_out > 0) {
        // liblzma may still flush buffered output without input; one more call tells.
        const size_t before = strm_.avail_out;
        const lzma_ret again = lzma_code(&strm_, LZMA_RUN);
        if (again == LZMA_STREAM_END) {
          ended_ = true;
          break;
        }
        if (again != LZMA_OK || strm_.avail_out == before) break;
      }
    }
    filled_ = want - strm_.avail_out;
    at_ = 0;
    produced_ += filled_;
    if (filled_ == 0)
      return Error{Errc::corrupt, "the " + std::string(name_) +
                                      " stream ends before the control entries are satisfied: "
                                      "the patch is truncated or corrupt"};
    return {};
  }

  lzma_stream strm_ = LZMA_STREAM_INIT;
  ByteView coded_;
  uint64_t raw_;
  uint64_t produced_ = 0;
  const char* name_;
  uint8_t buf_[kChunkBytes];
  size_t at_ = 0, filled_ = 0;
  bool ok_ = false, ended_ = false;
};

Result<uint64_t> read_leb128(LzmaSource& src, const std::string& where) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    auto b = src.byte();
    if (!b) return std::move(b).error();
    if (shift == 63 && (*b & 0xFE))
      return Error{Errc::corrupt, where + " has a number over 64 bits: the patch is corrupt"};
    v |= uint64_t(*b & 0x7F) << shift;
    if (!(*b & 0x80)) return v;
  }
  return Error{Errc::corrupt, where + " has a number over 64 bits: the patch is corrupt"};
}

// Writes the output in chunks, undoing the branch filter on the way. An x86 opcode
// within 4 bytes of a chunk's end waits (with its operand) for the next chunk.
class OutputStage {
 public:
  OutputStage(io::Writer& out, BranchFilter filter) : out_(out), filter_(filter) {}
  // Space for n <= kChunkBytes more bytes, flushing first when the buffer is full.
  Result<uint8_t*> room(size_t n) {
    if (used_ + n > sizeof buf_) OTA_TRY(flush(false));
    return buf_ + used_;
  }
  void commit(size_t n) { used_ += n; }
  Result<void> finish() { return flush(true); }

 private:
  Result<void> flush(bool at_end) {
    size_t final_bytes = used_;
    if (filter_ == BranchFilter::kX86) final_bytes = x86_branch_decode(buf_, used_, base_, at_end);
    OTA_TRY(out_.write({buf_, final_bytes}));
    std::memmove(buf_, buf_ + final_bytes, used_ - final_bytes);
    used_ -= final_bytes;
    base_ += final_bytes;
    return {};
  }

  io::Writer& out_;
  BranchFilter filter_;
  uint8_t buf_[2 * kChunkBytes];
  size_t used_ = 0;
  uint64_t base_ = 0;
};

std::string entry_name(uint64_t index) { return "control entry " + std::to_string(index); }

}  // namespace

Result<uint64_t> ota_apply(ByteView old_view, ByteView patch, io::Writer& out,
                           const ApplyLimits& limits, const ProgressFn& progress) {
  auto parsed = parse_ota_header(patch);
  if (!parsed) return std::move(parsed).error();
  const OtaHeader& h = *parsed;
  if (h.new_size > limits.max_output_bytes)
    return Error{Errc::too_large, "the patch declares a " + std::to_string(h.new_size) +
                                      "-byte output, over the " +
                                      std::to_string(limits.max_output_bytes) +
                                      "-byte limit; raise --max-output if this is intended"};
  // The caller reports a wrong source from the digests; sizes are checked here so
  // that control entries can be validated against the source actually given.
  if (old_view.size() != h.old_size)
    return Error{Errc::rejected, "the source has " + std::to_string(old_view.size()) +
                                     " bytes; this patch was made from a " +
                                     std::to_string(h.old_size) + "-byte file"};
  Bytes old_copy;
  if (h.filter == BranchFilter::kX86) {
    old_copy.assign(old_view.begin(), old_view.end());
    x86_branch_encode(old_copy.data(), old_copy.size(), 0, true);
    old_view = old_copy;
  }
  const uint8_t* old_data = old_view.data();
  const uint64_t old_size = old_view.size();

  const uint8_t* p = patch.data() + kOtaHeaderBytes;
  auto ctrl = std::make_unique<LzmaSource>(ByteView{p, h.ctrl.coded_bytes}, h.ctrl, "control");
  p += h.ctrl.coded_bytes;
  auto diff = std::make_unique<LzmaSource>(ByteView{p, h.diff.coded_bytes}, h.diff, "diff");
  p += h.diff.coded_bytes;
  auto extra = std::make_unique<LzmaSource>(ByteView{p, h.extra.coded_bytes}, h.extra, "extra");

  auto output = std::make_unique<OutputStage>(out, h.filter);
  uint64_t written = 0, old_pos = 0, entry = 0, next_report = 0;
  int empty_run = 0;
  while (written < h.new_size) {
    const std::string where = entry_name(entry);
    auto copy = read_leb128(*ctrl, where);
    if (!copy) return std::move(copy).error();
    auto extra_len = read_leb128(*ctrl, where);
    if (!extra_len) return std::move(extra_len).error();
    auto seek_zz = read_leb128(*ctrl, where);
    if (!seek_zz) return std::move(seek_zz).error();
    const int64_t seek = int64_t(*seek_zz >> 1) ^ -int64_t(*seek_zz & 1);
    if (*copy > h.new_size - written || *extra_len > h.new_size - written - *copy)
      return Error{Errc::corrupt, where + " writes past the declared " +
                                      std::to_string(h.new_size) + "-byte output: the patch is corrupt"};
    if (*copy > old_size - old_pos)
      return Error{Errc::corrupt, where + " reads past the end of the " + std::to_string(old_size) +
                                      "-byte source: the patch is corrupt"};
    empty_run = (*copy == 0 && *extra_len == 0) ? empty_run + 1 : 0;
    if (empty_run > kMaxConsecutiveEmptyEntries)
      return Error{Errc::corrupt, "over " + std::to_string(kMaxConsecutiveEmptyEntries) +
                                      " consecutive empty control entries: the patch is corrupt"};
    for (uint64_t done = 0; done < *copy;) {
      const size_t n = size_t(std::min<uint64_t>(*copy - done, kChunkBytes));
      auto dst = output->room(n);
      if (!dst) return std::move(dst).error();
      uint8_t* d = *dst;
      OTA_TRY(diff->read(d, n));
      const uint8_t* src = old_data + old_pos + done;
      for (size_t i = 0; i < n; ++i) d[i] = uint8_t(d[i] + src[i]);
      output->commit(n);
      done += n;
    }
    for (uint64_t done = 0; done < *extra_len;) {
      const size_t n = size_t(std::min<uint64_t>(*extra_len - done, kChunkBytes));
      auto dst = output->room(n);
      if (!dst) return std::move(dst).error();
      OTA_TRY(extra->read(*dst, n));
      output->commit(n);
      done += n;
    }
    written += *copy + *extra_len;
    old_pos += *copy;
    // The next copy starts at old_pos + seek, which must lie in [0, old_size].
    if ((seek < 0 && uint64_t(-(seek + 1)) + 1 > old_pos) ||
        (seek > 0 && uint64_t(seek) > old_size - old_pos))
      return Error{Errc::corrupt, where + " seeks outside the " + std::to_string(old_size) +
                                      "-byte source: the patch is corrupt"};
    old_pos = uint64_t(int64_t(old_pos) + seek);
    ++entry;
    if (progress && written >= next_report) {
      progress(written, h.new_size);
      next_report = written + (uint64_t(1) << 20);
    }
  }
  OTA_TRY(output->finish());
  for (LzmaSource* s : {ctrl.get(), diff.get(), extra.get()}) OTA_TRY(s->finish());
  if (progress) progress(written, h.new_size);
  return written;
}

}  // namespace ota::delta
