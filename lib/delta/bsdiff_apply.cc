// Streaming BSDIFF40 decoder. Unlike bspatch 4.3 it never holds the new file in
// memory and it validates every control entry before use: lengths non-negative,
// writes inside the declared new size (CVE-2014-9862), reads inside the source.
#include <bzlib.h>

#include <cstring>
#include <string>

#include "delta/bsdiff.h"
#include "delta/bsdiff_header.h"

namespace ota::delta {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// bsdiff emits an empty entry only when a match starts exactly where the last
// one ended; long runs of them only serve to burn CPU (a bzip2 "bomb" of zeros).
constexpr int kMaxConsecutiveEmptyEntries = 1024;

class Bzip2Source {
 public:
  Bzip2Source(ByteView data, const char* name) : name_(name) {
    std::memset(&strm_, 0, sizeof strm_);
    ok_ = BZ2_bzDecompressInit(&strm_, 0, 0) == BZ_OK;
    strm_.next_in = const_cast<char*>(reinterpret_cast<const char*>(data.data()));
    strm_.avail_in = unsigned(data.size());  // the caller keeps payloads under 4 GiB
  }
  ~Bzip2Source() { BZ2_bzDecompressEnd(&strm_); }
  Bzip2Source(const Bzip2Source&) = delete;
  Bzip2Source& operator=(const Bzip2Source&) = delete;

  // Fills exactly `size` bytes or fails with a message naming the stream.
  Result<void> read(uint8_t* dst, size_t size) {
    if (!ok_) return Error{Errc::io, "bzip2 decoder could not start (out of memory?)"};
    strm_.next_out = reinterpret_cast<char*>(dst);
    strm_.avail_out = unsigned(size);
    while (strm_.avail_out > 0) {
      if (ended_) return ends_early();
      int rc = BZ2_bzDecompress(&strm_);
      if (rc == BZ_STREAM_END) {
        ended_ = true;
      } else if (rc == BZ_MEM_ERROR) {
        return Error{Errc::io, "out of memory decoding the " + std::string(name_) + " stream"};
      } else if (rc != BZ_OK) {
        return Error{Errc::corrupt, "the " + std::string(name_) +
                                        " stream is not valid bzip2 data (bzip2 error " +
                                        std::to_string(rc) + "): the patch is corrupt"};
      } else if (strm_.avail_in == 0 && strm_.avail_out > 0) {
        return ends_early();
      }
    }
    return {};
  }

  // After the last control entry: the stream must end exactly here, so its final
  // block's CRC and the stream CRC are checked, and nothing may follow it.
  Result<void> finish() {
    uint8_t extra_byte;
    if (!ended_) {
      strm_.next_out = reinterpret_cast<char*>(&extra_byte);
      strm_.avail_out = 1;
      while (!ended_) {
        int rc = BZ2_bzDecompress(&strm_);
        if (rc == BZ_STREAM_END) {
          ended_ = true;
        } else if (rc != BZ_OK) {
          return Error{Errc::corrupt, "the " + std::string(name_) +
                                          " stream is not valid bzip2 data (bzip2 error " +
                                          std::to_string(rc) + "): the patch is corrupt"};
        } else if (strm_.avail_out == 0) {
          return Error{Errc::corrupt, "the " + std::string(name_) +
                                          " stream holds more data than the control entries use: "
                                          "the patch is corrupt"};
        } else if (strm_.avail_in == 0) {
          return Error{Errc::corrupt, "the " + std::string(name_) +
                                          " stream is truncated: the patch is corrupt"};
        }
      }
      if (strm_.avail_out == 0)
        return Error{Errc::corrupt, "the " + std::string(name_) +
                                        " stream holds more data than the control entries use"};
    }
    if (strm_.avail_in != 0)
      return Error{Errc::corrupt, std::to_string(strm_.avail_in) + " unexpected bytes follow the " +
                                      std::string(name_) + " stream: the patch is corrupt"};
    return {};
  }

 private:
  Error ends_early() const {
    return Error{Errc::corrupt, "the " + std::string(name_) +
                                    " stream ends before the control entries are satisfied: "
                                    "the patch is truncated or corrupt"};
  }

  bz_stream strm_;
  const char* name_;
  bool ok_ = false;
  bool ended_ = false;
};

std::string entry_name(uint64_t index) { return "control entry " + std::to_string(index); }

}  // namespace

Result<uint64_t> bsdiff_apply(ByteView old_data, ByteView payload, io::Writer& out,
                              const ApplyLimits& limits, const ProgressFn& progress) {
  auto header = parse_bsdiff_header(payload);
  if (!header) return std::move(header).error();
  const uint64_t new_size = header->new_size;
  if (new_size > limits.max_output_bytes)
    return Error{Errc::too_large, "the patch declares a " + std::to_string(new_size) +
                                      "-byte output, over the " +
                                      std::to_string(limits.max_output_bytes) +
                                      "-byte limit; raise --max-output if this is intended"};
  if (payload.size() > 0xFFFFFFFFu)
    return Error{Errc::unsupported, "BSDIFF40 patches over 4 GiB are not supported"};

  const uint8_t* p = payload.data() + kBsdiffHeaderBytes;
  Bzip2Source ctrl({p, header->ctrl_bytes}, "control");
  Bzip2Source diff({p + header->ctrl_bytes, header->diff_bytes}, "diff");
  Bzip2Source extra({p + header->ctrl_bytes + header->diff_bytes, header->extra_bytes}, "extra");

  const int64_t old_size = int64_t(old_data.size());
  uint8_t buf[kChunkBytes];
  uint64_t new_pos = 0, index = 0, next_report = 0;
  int64_t old_pos = 0;
  int empty_run = 0;
  while (new_pos < new_size) {
    uint8_t entry[24];
    if (auto got = ctrl.read(entry, sizeof entry); !got)
      return std::move(got).error().with_context(entry_name(index) + " (" +
                                                 std::to_string(new_pos) + " of " +
                                                 std::to_string(new_size) + " bytes written)");
    const int64_t add = load_offt(entry), copy = load_offt(entry + 8), seek = load_offt(entry + 16);
    if (add < 0 || copy < 0)
      return Error{Errc::corrupt, entry_name(index) + " has a negative length (add " +
                                      std::to_string(add) + ", copy " + std::to_string(copy) +
                                      "): the patch is corrupt or hostile"};
    const uint64_t room = new_size - new_pos;
    if (uint64_t(add) > room || uint64_t(copy) > room - uint64_t(add))
      return Error{Errc::corrupt, entry_name(index) + " writes " + std::to_string(add) + "+" +
                                      std::to_string(copy) + " bytes at offset " +
                                      std::to_string(new_pos) + ", past the declared new size " +
                                      std::to_string(new_size) + ": the patch is corrupt or hostile"};
    if (add > 0 && (old_pos < 0 || old_pos > old_size || add > old_size - old_pos))
      return Error{Errc::corrupt, entry_name(index) + " reads source bytes [" +
                                      std::to_string(old_pos) + ", " + std::to_string(old_pos) +
                                      "+" + std::to_string(add) + ") outside the " +
                                      std::to_string(old_size) +
                                      "-byte source: wrong source file, or a corrupt patch"};
    empty_run = (add == 0 && copy == 0) ? empty_run + 1 : 0;
    if (empty_run > kMaxConsecutiveEmptyEntries)
      return Error{Errc::corrupt, "the control stream repeats empty entries at " +
                                      entry_name(index) + ": the patch is hostile"};

    for (int64_t done = 0; done < add;) {
      size_t n = size_t(std::min<int64_t>(add - done, int64_t(kChunkBytes)));
      OTA_TRY(diff.read(buf, n));
      const uint8_t* src = old_data.data() + old_pos + done;
      for (size_t i = 0; i < n; ++i) buf[i] = uint8_t(buf[i] + src[i]);
      OTA_TRY(out.write({buf, n}));
      done += int64_t(n);
    }
    for (int64_t done = 0; done < copy;) {
      size_t n = size_t(std::min<int64_t>(copy - done, int64_t(kChunkBytes)));
      OTA_TRY(extra.read(buf, n));
      OTA_TRY(out.write({buf, n}));
      done += int64_t(n);
    }
    new_pos += uint64_t(add) + uint64_t(copy);
    if (__builtin_add_overflow(old_pos, add, &old_pos) ||
        __builtin_add_overflow(old_pos, seek, &old_pos))
      return Error{Errc::corrupt, entry_name(index) + " seeks the source out of range (" +
                                      std::to_string(seek) + "): the patch is corrupt or hostile"};
    ++index;
    if (progress && new_pos >= next_report) {
      progress(new_pos, new_size);
      next_report = new_pos + (uint64_t(1) << 22);
    }
  }
  OTA_TRY(ctrl.finish());
  OTA_TRY(diff.finish());
  OTA_TRY(extra.finish());
  return new_size;
}

}  // namespace ota::delta
