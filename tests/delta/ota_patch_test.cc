// The ota container (lib/delta/ota_*.cc, docs/delta.md): round trips, the branch
// filter, the header's checks, and hostile patches.
#include <gtest/gtest.h>
#include <lzma.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "tools/test_files.h"
#include "delta/operations.h"
#include "delta/ota_patch.h"
#include "tools/test_data.h"

namespace ota::delta {
namespace {

const std::filesystem::path kData = OTA_TEST_DATA;

using testing::read_file;

Result<Bytes> apply_raw(const Bytes& old_data, const Bytes& patch, ApplyLimits limits = {}) {
  io::VectorWriter out;
  auto n = ota_apply(old_data, patch, out, limits);
  if (!n) return std::move(n).error();
  EXPECT_EQ(*n, out.bytes.size());
  return std::move(out.bytes);
}

// Through the public apply, which also checks the header's digests.
Result<Bytes> apply_checked(const Bytes& old_data, const Bytes& patch) {
  io::VectorWriter out;
  auto r = apply_patch_bytes(old_data, patch, out, {});
  if (!r) return std::move(r).error();
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(r->algorithm, Algorithm::kOta);
  return std::move(out.bytes);
}

const OtaParams kQuick{{8}, {BranchFilter::kNone}, 1};

// x86-like code: CALL/JMP rel32 to a fixed set of function addresses, with `shift`
// bytes inserted at `shift_at` (the calls after it move, their targets do not, so
// their displacements all change while their absolute targets stay equal).
Bytes x86_like(size_t n, uint64_t seed, size_t shift_at, size_t shift) {
  Bytes body = testing::structured_bytes(n, seed);
  shift_at = std::min(shift_at, body.size());
  Bytes out(body.begin(), body.begin() + long(shift_at));
  out.insert(out.end(), shift, 0x90);
  out.insert(out.end(), body.begin() + long(shift_at), body.end());
  for (size_t i = 0; i + 5 <= body.size(); i += 23) {
    const size_t at = i < shift_at ? i : i + shift;
    out[at] = (i % 2) ? 0xE8 : 0xE9;
    const int32_t target = int32_t((i * 7919) % 4096) * 16;  // one of 4096 functions
    store_le32(out.data() + at + 1, uint32_t(target - int32_t(at + 5)));
  }
  return out;
}

struct Case {
  const char* name;
  Bytes old_data, new_data;
};

std::vector<Case> cases() {
  Bytes some = testing::random_bytes(3000, 1);
  Bytes structured = testing::structured_bytes(300 << 10, 3);
  return {
      {"empty_both", {}, {}},
      {"empty_source", {}, some},
      {"empty_target", some, {}},
      {"random", testing::random_bytes(70000, 2), testing::mutate(testing::random_bytes(70000, 2), 3)},
      {"structured", structured, testing::mutate(structured, 4)},
      {"x86", x86_like(200 << 10, 5, 0, 0), x86_like(200 << 10, 5, 100 << 10, 37)},
  };
}

TEST(OtaPatch, EveryFilterAndGainRoundTrips) {
  for (const auto& c : cases())
    for (BranchFilter f : {BranchFilter::kNone, BranchFilter::kX86})
      for (int gain : {5, 8, 16}) {
        auto patch = ota_encode(c.old_data, c.new_data, {{gain}, {f}, 1});
        ASSERT_TRUE(patch) << c.name << ": " << patch.error().message;
        EXPECT_EQ(patch->filter, f);
        auto out = apply_checked(c.old_data, patch->bytes);
        ASSERT_TRUE(out) << c.name << " filter " << to_string(f) << ": " << out.error().message;
        EXPECT_EQ(*out, c.new_data) << c.name << " filter " << to_string(f) << " gain " << gain;
      }
}

TEST(OtaPatch, HeaderRecordsSourceAndTarget) {
  const Case c = cases()[4];
  auto patch = ota_encode(c.old_data, c.new_data, kQuick);
  ASSERT_TRUE(patch);
  auto h = parse_ota_header(patch->bytes);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->old_size, c.old_data.size());
  EXPECT_EQ(h->new_size, c.new_data.size());
  EXPECT_EQ(h->old_sha256, crypto::sha256(c.old_data));
  EXPECT_EQ(h->new_sha256, crypto::sha256(c.new_data));
  EXPECT_EQ(h->diff.raw_bytes + h->extra.raw_bytes, c.new_data.size());
  EXPECT_EQ(kOtaHeaderBytes + h->ctrl.coded_bytes + h->diff.coded_bytes + h->extra.coded_bytes,
            patch->bytes.size());
  EXPECT_EQ(h->diff.dict_bytes, 512u << 10);  // the smallest power of two >= the target
}

TEST(OtaPatch, SmallerThanBsdiffOnStructuredData) {
  const Case c = cases()[4];
  auto ota = encode_patch(Algorithm::kOta, c.old_data, c.new_data, {});
  auto bsdiff = encode_patch(Algorithm::kBsdiff, c.old_data, c.new_data, {});
  ASSERT_TRUE(ota && bsdiff);
  EXPECT_LT(ota->bytes.size(), bsdiff->bytes.size());
}

TEST(OtaPatch, EveryFilterIsTriedAndTheSmallestKept) {
  for (size_t shift : {0u, 3u, 4096u}) {
    Bytes old_data = x86_like(256 << 10, 9, 0, 0), new_data = x86_like(256 << 10, 9, 1000, shift);
    auto none = ota_encode(old_data, new_data, {{8}, {BranchFilter::kNone}, 1});
    auto x86 = ota_encode(old_data, new_data, {{8}, {BranchFilter::kX86}, 1});
    auto both = ota_encode(old_data, new_data, {{8}, {BranchFilter::kNone, BranchFilter::kX86}, 2});
    ASSERT_TRUE(none && x86 && both);
    const auto& smaller = x86->bytes.size() < none->bytes.size() ? *x86 : *none;
    EXPECT_EQ(both->filter, smaller.filter) << "shift " << shift;
    EXPECT_EQ(both->bytes, smaller.bytes) << "shift " << shift;
  }
}

TEST(OtaPatch, Deterministic) {
  const Case c = cases()[5];
  OtaParams params;  // the default: two gains, two filters, concurrently
  auto a = ota_encode(c.old_data, c.new_data, params);
  auto b = ota_encode(c.old_data, c.new_data, params);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->bytes, b->bytes);
}

TEST(OtaPatch, GoldenPatchIsStableAndApplies) {
  // tests/data/delta/ota-default.patch: `ota-delta create --algo ota` on old.bin/new.bin
  // (tests/data/PROVENANCE.md). A change here changes what devices must decode.
  Bytes old_data = read_file(kData / "delta/old.bin"), new_data = read_file(kData / "delta/new.bin");
  const Bytes golden = read_file(kData / "delta/ota-default.patch");
  auto made = encode_patch(Algorithm::kOta, old_data, new_data, {});
  ASSERT_TRUE(made);
  EXPECT_EQ(made->bytes, golden);
  auto out = apply_checked(old_data, golden);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, new_data);
}

// --- the branch filter -----------------------------------------------------

TEST(BranchFilter, X86ConvertsNearDisplacementsOnly) {
  Bytes b = {0xE8, 0x10, 0x00, 0x00, 0x00,   // call +16 at 0: target 21
             0xE9, 0xF0, 0xFF, 0xFF, 0xFF,   // jmp -16 at 5: target -6
             0xE8, 0x00, 0x00, 0x00, 0x40,   // far: left alone
             0x90, 0xE8, 0x01};              // a trailing opcode without its operand
  const Bytes original = b;
  EXPECT_EQ(x86_branch_encode(b.data(), b.size(), 0, true), b.size());
  EXPECT_EQ(load_le32(b.data() + 1), 21u);
  EXPECT_EQ(load_le32(b.data() + 6), 0xFFFFFFFAu);  // -6, sign-extended from 25 bits
  EXPECT_EQ(load_le32(b.data() + 11), 0x40000000u);
  EXPECT_EQ(b[16], 0xE8);
  EXPECT_EQ(b[17], 0x01);
  EXPECT_EQ(x86_branch_decode(b.data(), b.size(), 0, true), b.size());
  EXPECT_EQ(b, original);
}

TEST(BranchFilter, ChunkedDecodingEqualsWholeDecoding) {
  Bytes data = testing::random_bytes(100000, 11);
  for (size_t i = 0; i < data.size(); i += 97) data[i] = 0xE8;  // many opcodes, some at chunk edges
  Bytes encoded = data;
  x86_branch_encode(encoded.data(), encoded.size(), 0, true);
  ASSERT_NE(encoded, data);
  for (size_t chunk : {1u, 4u, 5u, 6u, 4093u, 65536u}) {
    Bytes out, pending;
    uint64_t base = 0;
    for (size_t at = 0; at < encoded.size(); at += chunk) {
      pending.insert(pending.end(), encoded.begin() + long(at),
                     encoded.begin() + long(std::min(encoded.size(), at + chunk)));
      const bool last = at + chunk >= encoded.size();
      const size_t done = x86_branch_decode(pending.data(), pending.size(), base, last);
      out.insert(out.end(), pending.begin(), pending.begin() + long(done));
      pending.erase(pending.begin(), pending.begin() + long(done));
      base += done;
    }
    EXPECT_TRUE(pending.empty());
    EXPECT_EQ(out, data) << "chunk " << chunk;
  }
}

// --- hostile patches -------------------------------------------------------

struct Fixture {
  Bytes old_data = testing::structured_bytes(100 << 10, 21);
  Bytes new_data = testing::mutate(old_data, 22);
  Bytes patch = ota_encode(old_data, new_data, kQuick)->bytes;
};

uint32_t lzma_crc32_for_test(const uint8_t* header) { return lzma_crc32(header, 168, 0); }

// Rewrites a header field and its CRC, so the field's own check is what fires.
Bytes with_field(Bytes patch, size_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) patch[at + i] = uint8_t(value >> (8 * i));
  store_le32(patch.data() + 168, lzma_crc32_for_test(patch.data()));
  return patch;
}

TEST(OtaPatchHostile, HeaderFieldsAreChecked) {
  Fixture f;
  const struct {
    size_t at, width;
    uint64_t value;
    const char* message;
  } cases[] = {
      {8, 1, 2, "ota delta format version 2 is not supported; this build reads version 1"},
      {9, 1, 7, "ota delta method 7 is not supported; this build reads method 1 (bsdiff streams)"},
      {10, 1, 2, "ota delta stream coding 2 is not supported; this build reads coding 1 (LZMA2)"},
      {11, 1, 9, "ota delta branch filter 9 is not supported; this build reads 0 (none) and 1 (x86)"},
      {12, 4, 200, "the ota delta header declares 200 header bytes; version 1 has 172"},
      {112, 4, 1u << 30, "the ota delta's control stream asks for an LZMA2 dictionary of 1073741824 bytes; "
                         "4 KiB to 64 MiB are allowed"},
      {116, 4, 1, "the ota delta's control stream descriptor has a non-zero reserved field"},
      {96, 8, uint64_t(1) << 40, "the ota delta's control stream is longer than the patch (truncated?)"},
  };
  for (const auto& c : cases) {
    auto r = apply_raw(f.old_data, with_field(f.patch, c.at, c.value, c.width));
    ASSERT_FALSE(r) << c.message;
    EXPECT_EQ(r.error().message, c.message);
  }
  // Sizes that do not add up.
  auto r = apply_raw(f.old_data, with_field(f.patch, 24, f.new_data.size() + 1, 8));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("do not add up to the"), std::string::npos) << r.error().message;
}

TEST(OtaPatchHostile, CorruptHeaderFailsItsCrc) {
  Fixture f;
  Bytes bad = f.patch;
  bad[40] ^= 1;  // inside the source digest
  auto r = apply_raw(f.old_data, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "the ota delta header is corrupt (CRC-32 mismatch)");
}

TEST(OtaPatchHostile, EveryTruncationIsRejected) {
  Fixture f;
  for (size_t n = 0; n < f.patch.size(); n += (n < 200 ? 1 : 37)) {
    Bytes cut(f.patch.begin(), f.patch.begin() + long(n));
    auto r = apply_checked(f.old_data, cut);
    ASSERT_FALSE(r) << "truncated to " << n;
    EXPECT_FALSE(r.error().message.empty());
  }
  Bytes longer = f.patch;
  longer.push_back(0);
  EXPECT_FALSE(apply_checked(f.old_data, longer));
}

TEST(OtaPatchHostile, NoStreamByteFlipYieldsAWrongOutput) {
  Fixture f;
  for (size_t i = kOtaHeaderBytes; i < f.patch.size(); ++i) {
    Bytes bad = f.patch;
    bad[i] ^= 0x5A;
    auto r = apply_checked(f.old_data, bad);
    // The decoder refuses it, or the output fails the header's target digest, or the
    // flip hit range-coder padding that does not change the output: never a wrong file.
    if (r) {
      ASSERT_EQ(*r, f.new_data) << "flip at " << i;
    }
  }
}

TEST(OtaPatchHostile, WrongSourceIsRejectedBeforeAnyOutput) {
  Fixture f;
  Bytes other = f.old_data;
  other[100] ^= 1;
  io::VectorWriter untouched;
  auto first = apply_patch_bytes(other, f.patch, untouched, {});
  ASSERT_FALSE(first);
  EXPECT_TRUE(untouched.bytes.empty());
  auto r = apply_checked(other, f.patch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_NE(r.error().message.find("the source is not the file this patch was made from"),
            std::string::npos);
  Bytes shorter(f.old_data.begin(), f.old_data.end() - 1);
  auto s = apply_checked(shorter, f.patch);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::rejected);
}

// Fails every write after the first `budget` bytes, as a full disk does.
class FullDisk final : public io::Writer {
 public:
  explicit FullDisk(size_t budget) : budget_(budget) {}
  Result<void> write(ByteView data) override {
    if (data.size() > budget_) return Error{Errc::io, "no space left on device"};
    budget_ -= data.size();
    return {};
  }

 private:
  size_t budget_;
};

TEST(OtaPatchHostile, AFailingOutputStopsTheDecoderCleanly) {
  Bytes old_data = testing::structured_bytes(1 << 20, 31), new_data = testing::mutate(old_data, 32);
  for (BranchFilter filter : {BranchFilter::kNone, BranchFilter::kX86}) {
    auto patch = ota_encode(old_data, new_data, {{8}, {filter}, 1});
    ASSERT_TRUE(patch);
    for (size_t budget : {size_t(0), size_t(100000), size_t(700000)}) {
      FullDisk out(budget);
      auto r = ota_apply(old_data, patch->bytes, out, {});
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().message, "no space left on device");
    }
  }
}

TEST(OtaPatchHostile, OutputLimitIsEnforcedBeforeDecoding) {
  Fixture f;
  auto r = apply_raw(f.old_data, f.patch, ApplyLimits{.max_output_bytes = 1000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

TEST(OtaPatchHostile, DetectedAndDescribed) {
  Fixture f;
  EXPECT_EQ(*detect_format(f.patch), Algorithm::kOta);
  auto split = split_trailer(f.patch, Algorithm::kOta);
  ASSERT_TRUE(split.trailer);
  EXPECT_EQ(split.trailer->new_sha256, crypto::sha256(f.new_data));
}

}  // namespace
}  // namespace ota::delta
