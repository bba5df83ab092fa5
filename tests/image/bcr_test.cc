#include "image/bcr.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "core/hex.h"
#include "flash/cutting_flash.h"
#include "flash/mem_flash.h"

namespace ota::image {
namespace {

using flash::CutMode;
using flash::CuttingFlash;
using flash::MemFlash;

// CRC-32/IEEE bit by bit (reflected 0xEDB88320, init and final xor 0xFFFFFFFF), written
// independently of zlib so the golden vector cross-checks bcr.cc.
uint32_t crc32_bitwise(ByteView bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Recomputes the CRC after a test edits a field, so only the field check can reject it.
void reseal(Bytes& record) { store_le32(record.data() + 60, crc32_bitwise(ByteView(record).first(60))); }

BootControl golden_record() {
  BootControl r;
  r.seq = 0x12345678;
  r.active_slot = 0;
  r.pending_slot = 1;
  r.op = BcrOp::activate;
  r.flags = kFlagPreventLateFallback;
  r.slot[0] = {SlotState::confirmed, 15, 0, FailReason::none, 7, 0xDEADBEEF};
  r.slot[1] = {SlotState::trial, 14, 3, FailReason::none, 8, 0x89ABCDEF};
  r.boot_attempts = 42;
  return r;
}

// Bytes 0..59 of golden_record(), written out by hand from the C2 table (docs/image-format.md).
constexpr const char* kGoldenBody =
    "4f424352" "0100" "4000" "78563412" "00" "01" "02" "01"  // magic, version, size, seq, slots, op, flags
    "04" "0f" "00" "00" "07000000" "efbeadde"               // slot A
    "03" "0e" "03" "00" "08000000" "efcdab89"               // slot B
    "2a000000"                                              // boot_attempts
    "00000000000000000000000000000000";                     // reserved
constexpr uint32_t kGoldenCrc = 0x0275B2D0;

TEST(BcrEncoding, BitwiseCrcMatchesTheStandardCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32_bitwise(ByteView(reinterpret_cast<const uint8_t*>(check.data()), check.size())),
            0xCBF43926u);
}

TEST(BcrEncoding, GoldenRecordEncodesToTheDocumentedBytes) {
  auto body = from_hex(kGoldenBody);
  ASSERT_TRUE(body.has_value());
  ASSERT_EQ(body->size(), 60u);
  EXPECT_EQ(crc32_bitwise(*body), kGoldenCrc);
  Bytes expected = *body;
  expected.resize(64);
  store_le32(expected.data() + 60, crc32_bitwise(*body));
  EXPECT_EQ(to_hex(encode_bcr(golden_record())), to_hex(expected));
  EXPECT_EQ(to_hex(expected).substr(120), "d0b27502");
}

TEST(BcrEncoding, GoldenBytesDecodeToTheGoldenRecord) {
  Bytes bytes = *from_hex(kGoldenBody);
  bytes.resize(64);
  reseal(bytes);
  auto decoded = decode_bcr(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, golden_record());
}

TEST(BcrEncoding, RoundTripsEveryDefinedValue) {
  for (uint8_t state = 0; state <= 5; ++state)
    for (uint8_t op = 0; op <= 5; ++op) {
      BootControl r = golden_record();
      r.seq = 0xFFFFFFFF;
      r.active_slot = kNoSlot;
      r.pending_slot = state % 2;
      r.op = static_cast<BcrOp>(op);
      r.flags = 0;
      r.slot[1] = {static_cast<SlotState>(state), static_cast<uint8_t>(state * 3), 7,
                   static_cast<FailReason>(op), 0xFFFFFFFF, 0};
      auto back = decode_bcr(encode_bcr(r));
      ASSERT_TRUE(back) << back.error().message;
      EXPECT_EQ(*back, r);
    }
  EXPECT_EQ(to_string(BcrOp::install_started), "install-started");
  EXPECT_EQ(to_string(SlotState::confirmed), "confirmed");
  EXPECT_EQ(to_string(FailReason::tries_exhausted), "tries-exhausted");
}

TEST(BcrDecode, RejectsEveryFlippedByte) {
  const Bytes good = encode_bcr(golden_record());
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      Bytes bad = good;
      bad[i] ^= mask;
      auto r = decode_bcr(bad);
      ASSERT_FALSE(r) << "byte " << i << " mask " << int(mask);
      EXPECT_EQ(r.error().code, Errc::corrupt);
    }
}

TEST(BcrDecode, RejectsWrongLength) {
  Bytes good = encode_bcr(golden_record());
  for (size_t n : {0, 60, 63, 65, 128}) {
    Bytes b = good;
    b.resize(n);
    auto r = decode_bcr(b);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::corrupt);
    EXPECT_NE(r.error().message.find("expected 64"), std::string::npos) << r.error().message;
  }
}

TEST(BcrDecode, NamesABadCrc) {
  Bytes b = encode_bcr(golden_record());
  b[20] ^= 1;
  auto r = decode_bcr(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "bad CRC 0x275b2d0, computed " + [&] {
    char t[16];
    std::snprintf(t, sizeof t, "0x%x", crc32_bitwise(ByteView(b).first(60)));
    return std::string(t);
  }());
}

// Each field check, with a correct CRC so the check itself must catch it.
TEST(BcrDecode, RejectsUndefinedFieldValuesDespiteAValidCrc) {
  struct Case { size_t offset; uint8_t value; const char* says; };
  const std::vector<Case> cases = {
      {0, 0x4E, "bad magic"},           {4, 2, "format version 2"},
      {6, 65, "record size 65"},        {12, 2, "active slot 0x2"},
      {12, 0xFE, "active slot 0xfe"},   {13, 0x80, "pending slot 0x80"},
      {14, 6, "undefined op 6"},        {15, 0x02, "undefined flag bits 0x2"},
      {15, 0x81, "undefined flag bits 0x80"},
      {16, 6, "slot A has undefined state 6"}, {17, 16, "slot A priority 16"},
      {18, 8, "slot A tries_left 8"},   {19, 6, "slot A has undefined reason 6"},
      {28, 0xFF, "slot B has undefined state 255"}, {29, 0xFF, "slot B priority 255"},
      {30, 8, "slot B tries_left 8"},   {31, 200, "slot B has undefined reason 200"},
  };
  for (const Case& c : cases) {
    Bytes b = encode_bcr(golden_record());
    b[c.offset] = c.value;
    reseal(b);
    auto r = decode_bcr(b);
    ASSERT_FALSE(r) << c.says;
    EXPECT_EQ(r.error().code, Errc::corrupt);
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
  for (size_t i = 44; i < 60; ++i) {
    Bytes b = encode_bcr(golden_record());
    b[i] = 0x01;
    reseal(b);
    auto r = decode_bcr(b);
    ASSERT_FALSE(r) << i;
    EXPECT_NE(r.error().message.find("reserved byte " + std::to_string(i)), std::string::npos);
  }
}

TEST(BcrDecode, AcceptsTheBoundaryValues) {
  BootControl r = golden_record();
  r.slot[0].priority = 15;
  r.slot[0].tries_left = 7;
  r.active_slot = 1;
  r.pending_slot = kNoSlot;
  EXPECT_TRUE(decode_bcr(encode_bcr(r)));
}

TEST(SeqNewer, OrdersNeighboursAndIsFalseWhenEqual) {
  EXPECT_TRUE(seq_newer(2, 1));
  EXPECT_FALSE(seq_newer(1, 2));
  EXPECT_FALSE(seq_newer(7, 7));
  EXPECT_FALSE(seq_newer(0, 0));
}

TEST(SeqNewer, WrapsFromFfffffffToZero) {
  EXPECT_TRUE(seq_newer(0, 0xFFFFFFFF));
  EXPECT_FALSE(seq_newer(0xFFFFFFFF, 0));
  EXPECT_TRUE(seq_newer(5, 0xFFFFFFF0));
  EXPECT_FALSE(seq_newer(0xFFFFFFF0, 5));
}

// fwup#214: a counter compared through a narrower or signed type breaks at 2^8, 2^16, 2^31.
TEST(SeqNewer, HasNoNarrowOrSignedWrapBug) {
  EXPECT_TRUE(seq_newer(256, 255));      // uint8_t would see 0 < 255
  EXPECT_FALSE(seq_newer(255, 256));
  EXPECT_TRUE(seq_newer(0x10000, 0xFFFF));
  EXPECT_TRUE(seq_newer(0x80000000, 0x7FFFFFFF));  // int32_t would see INT_MIN < INT_MAX
  EXPECT_FALSE(seq_newer(0x7FFFFFFF, 0x80000000));
}

TEST(SeqNewer, IsUndefinedExactlyHalfTheSpaceApart) {
  EXPECT_FALSE(seq_newer(0x80000000, 0));
  EXPECT_FALSE(seq_newer(0, 0x80000000));
  EXPECT_TRUE(seq_newer(0x7FFFFFFF, 0));   // just under half: newer
  EXPECT_TRUE(seq_newer(0, 0x80000001));   // just over half the other way: wrapped, newer
}

// --- BcrStore ---------------------------------------------------------------------------

// 16 x 4K; bootloader, then `copies` BCR regions of `bcr_sectors` sectors, then two slots.
Layout make_layout(uint8_t erased = 0xFF, uint32_t write_size = 8, uint32_t page_size = 0,
                   size_t copies = 2, uint64_t bcr_sectors = 1) {
  Layout l;
  l.device = "test";
  l.geometry.devices.resize(1);
  l.geometry.devices[0].sectors = {{4096, 16}};
  l.geometry.devices[0].write_size = write_size;
  l.geometry.devices[0].page_size = page_size;
  l.geometry.devices[0].erased = erased;
  l.regions.push_back({"bootloader", 0, 0x2000, {}});
  uint64_t at = 0x2000;
  for (size_t i = 0; i < copies; ++i) {
    l.regions.push_back({"bcr" + std::to_string(i), at, bcr_sectors * 4096, {}});
    at += bcr_sectors * 4096;
  }
  l.regions.push_back({"slot_a", 0x8000, 0x4000, {}});
  l.regions.push_back({"slot_b", 0xC000, 0x4000, {}});
  return l;
}

uint64_t copy_offset(const Layout& l, size_t copy) { return l.bcr_copies().at(copy)->offset; }

// Places a record in a copy as a factory tool would (poke: no operation counted).
void place(MemFlash& f, const Layout& l, size_t copy, const BootControl& r) {
  f.poke(copy_offset(l, copy), encode_bcr(r));
}

BootControl with_seq(uint32_t seq, uint32_t attempts = 0) {
  BootControl r = golden_record();
  r.seq = seq;
  r.boot_attempts = attempts;
  return r;
}

class BcrStoreOnBothErasedValues : public testing::TestWithParam<uint8_t> {};

TEST_P(BcrStoreOnBothErasedValues, BlankFlashIsNotFoundAndNamesEachCopy) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  auto r = BcrStore(f, l).load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(r.error().message, "no valid boot-control record (bcr0: erased; bcr1: erased)");
}

TEST_P(BcrStoreOnBothErasedValues, LoadIgnoresAnInvalidCopyAndSaysWhy) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 1, with_seq(9));
  Bytes torn = encode_bcr(with_seq(10));
  torn[63] ^= 0x10;
  f.poke(copy_offset(l, 0), torn);
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->copy, 1u);
  EXPECT_EQ(r->record, with_seq(9));
  ASSERT_EQ(r->copies.size(), 2u);
  EXPECT_FALSE(r->copies[0].valid);
  EXPECT_EQ(r->copies[0].problem.rfind("bad CRC", 0), 0u) << r->copies[0].problem;
  EXPECT_TRUE(r->copies[1].valid);
  EXPECT_EQ(r->copies[1].seq, 9u);
  EXPECT_TRUE(r->warnings.empty());
}

TEST_P(BcrStoreOnBothErasedValues, LoadSelectsTheNewerSeqInEitherCopy) {
  Layout l = make_layout(GetParam());
  for (size_t newer : {0u, 1u}) {
    MemFlash f(l.geometry);
    place(f, l, newer, with_seq(8));
    place(f, l, 1 - newer, with_seq(7));
    auto r = BcrStore(f, l).load();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->copy, newer);
    EXPECT_EQ(r->record.seq, 8u);
  }
}

TEST_P(BcrStoreOnBothErasedValues, LoadSelectsAcrossTheSeqWrap) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(0xFFFFFFFF));
  place(f, l, 1, with_seq(0));
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 1u);
  EXPECT_EQ(r->record.seq, 0u);
}

TEST_P(BcrStoreOnBothErasedValues, EqualSeqWithDifferentContentTakesTheLowerCopyAndWarns) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(5, 1));
  place(f, l, 1, with_seq(5, 2));
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 0u);
  EXPECT_EQ(r->record.boot_attempts, 1u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("same seq 5"), std::string::npos) << r->warnings[0];
}

TEST_P(BcrStoreOnBothErasedValues, EqualSeqWithEqualContentTakesTheLowerCopySilently) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(5));
  place(f, l, 1, with_seq(5));
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 0u);
  EXPECT_TRUE(r->warnings.empty());
}

TEST_P(BcrStoreOnBothErasedValues, LoadOfThreeCopiesSelectsTheNewest) {
  Layout l = make_layout(GetParam(), 8, 0, 3);
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(11));
  place(f, l, 1, with_seq(12));
  place(f, l, 2, with_seq(10));
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 1u);
}

TEST_P(BcrStoreOnBothErasedValues, LoadOnlyReads) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(3));
  ASSERT_TRUE(BcrStore(f, l).load());
  ASSERT_TRUE(BcrStore(f, make_layout(GetParam(), 8, 0, 3)).load());  // bcr2 erased
  EXPECT_EQ(f.programs(), 0u);
  EXPECT_EQ(f.erases(), 0u);
}

TEST_P(BcrStoreOnBothErasedValues, WriteStartsAtSeqOneOnBlankFlash) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  auto seq = BcrStore(f, l).write(with_seq(777));
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_EQ(*seq, 1u);
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 0u);
  EXPECT_EQ(r->record, with_seq(1));
  EXPECT_EQ(f.erases(), 1u);
}

TEST_P(BcrStoreOnBothErasedValues, WriteAlternatesCopiesAndNeverErasesTheCurrentOne) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  BcrStore store(f, l);
  for (uint32_t n = 1; n <= 6; ++n) {
    auto before = store.load();
    const size_t current = before ? before->copy : 99;
    const size_t sector0 = 2, sector1 = 3;  // bcr0 at 0x2000, bcr1 at 0x3000
    const uint64_t erased0 = f.erase_count(sector0), erased1 = f.erase_count(sector1);
    auto seq = store.write(with_seq(0, n));
    ASSERT_TRUE(seq) << seq.error().message;
    EXPECT_EQ(*seq, n);
    const size_t target = (n - 1) % 2;  // bcr0, bcr1, bcr0, ...
    EXPECT_NE(target, current);
    EXPECT_EQ(f.erase_count(sector0), erased0 + (target == 0 ? 1 : 0));
    EXPECT_EQ(f.erase_count(sector1), erased1 + (target == 1 ? 1 : 0));
    auto after = store.load();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->copy, target);
    EXPECT_EQ(after->record, with_seq(n, n));
  }
  EXPECT_EQ(f.erases(), 6u);
  EXPECT_EQ(f.programs(), 6u);
}

TEST_P(BcrStoreOnBothErasedValues, WriteReplacesAnInvalidCopyFirst) {
  Layout l = make_layout(GetParam());
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(20));
  place(f, l, 1, with_seq(21));
  f.poke(copy_offset(l, 1) + 30, Bytes{0x5A});  // bcr1 (the newer) now fails its CRC
  auto seq = BcrStore(f, l).write(with_seq(0));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 21u);  // current is bcr0 (20): the corrupt bcr1 is rewritten, not bcr0
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 1u);
  EXPECT_TRUE(r->copies[0].valid);
}

TEST_P(BcrStoreOnBothErasedValues, WriteOfThreeCopiesReplacesTheOldest) {
  Layout l = make_layout(GetParam(), 8, 0, 3);
  MemFlash f(l.geometry);
  place(f, l, 0, with_seq(0xFFFFFFFE));
  place(f, l, 1, with_seq(0xFFFFFFFF));
  place(f, l, 2, with_seq(0xFFFFFFFD));
  auto seq = BcrStore(f, l).write(with_seq(0));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 0u);  // wraps
  auto r = BcrStore(f, l).load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->copy, 2u);
  EXPECT_EQ(r->record.seq, 0u);
  auto next = BcrStore(f, l).write(with_seq(0));
  ASSERT_TRUE(next);
  EXPECT_EQ(BcrStore(f, l).load()->copy, 0u);  // 0xFFFFFFFE is now the oldest
}

TEST_P(BcrStoreOnBothErasedValues, WriteErasesAMultiSectorCopyInOneOperation) {
  Layout l = make_layout(GetParam(), 8, 0, 2, /*bcr_sectors=*/2);
  MemFlash f(l.geometry);
  f.poke(copy_offset(l, 0) + 4096, Bytes{0x12});  // junk in the copy's second sector
  ASSERT_TRUE(BcrStore(f, l).write(with_seq(0)));
  EXPECT_EQ(f.erases(), 1u);
  EXPECT_EQ(f.erase_count(2), 1u);
  EXPECT_EQ(f.erase_count(3), 1u);
  EXPECT_EQ(f.bytes()[copy_offset(l, 0) + 4096], GetParam());
}

TEST_P(BcrStoreOnBothErasedValues, WriteSplitsAtPagesAndWorksInNorMode) {
  Layout l = make_layout(GetParam(), 8, /*page_size=*/16);
  MemFlash f(l.geometry, flash::ProgramRule::nor);
  ASSERT_TRUE(BcrStore(f, l).write(with_seq(0)));
  EXPECT_EQ(f.programs(), 4u);  // 64 bytes in 16-byte pages
  ASSERT_TRUE(BcrStore(f, l).write(with_seq(0, 1)));
  EXPECT_EQ(BcrStore(f, l).load()->record, with_seq(2, 1));
}

INSTANTIATE_TEST_SUITE_P(Erased, BcrStoreOnBothErasedValues, testing::Values(0xFF, 0x00),
                         [](const testing::TestParamInfo<uint8_t>& i) {
                           return i.param == 0xFF ? std::string("Ff") : std::string("Zero");
                         });

TEST(BcrStore, WriteRefusesAnInvalidRecordBeforeTouchingFlash) {
  Layout l = make_layout();
  MemFlash f(l.geometry);
  BootControl bad = with_seq(0);
  bad.slot[0].priority = 16;
  auto r = BcrStore(f, l).write(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(f.erases() + f.programs(), 0u);
}

TEST(BcrStore, WriteNeedsTwoCopies) {
  Layout l = make_layout(0xFF, 8, 0, 1);
  MemFlash f(l.geometry);
  auto r = BcrStore(f, l).write(with_seq(0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

// Programs one bit wrong: the read-back must notice.
class BitFlippingFlash final : public flash::Flash {
 public:
  explicit BitFlippingFlash(MemFlash& inner) : inner_(inner) {}
  const flash::Geometry& geometry() const override { return inner_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
  Result<void> program(uint64_t offset, ByteView data) override {
    Bytes wrong(data.begin(), data.end());
    wrong[9] ^= 0x04;
    return inner_.program(offset, wrong);
  }
  Result<void> erase(uint64_t offset, uint64_t length) override { return inner_.erase(offset, length); }

 private:
  MemFlash& inner_;
};

TEST(BcrStore, WriteReportsAReadBackMismatch) {
  Layout l = make_layout();
  MemFlash f(l.geometry);
  BitFlippingFlash flipping(f);
  auto r = BcrStore(flipping, l).write(with_seq(0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message.rfind("read-back of bcr0 differs", 0), 0u) << r.error().message;
}

TEST(BcrStore, ReadFailuresPropagate) {
  Layout l = make_layout();
  MemFlash f(l.geometry);
  CuttingFlash cut(f, 1, CutMode::before);
  ASSERT_FALSE(BcrStore(cut, l).write(with_seq(0)));
  auto r = BcrStore(cut, l).load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::power_cut);
  EXPECT_EQ(r.error().message.rfind("reading bcr0: ", 0), 0u) << r.error().message;
}


// --- the C4 power-cut property --------------------------------------------------------

struct CutConfig {
  uint8_t erased;
  uint32_t write_size;
  uint32_t page_size;
};
void PrintTo(const CutConfig& c, std::ostream* os) {
  *os << "erased " << int(c.erased) << " write " << c.write_size << " page " << c.page_size;
}

// The record of the n-th write: every write changes several fields.
BootControl nth_record(uint32_t n) {
  BootControl r = golden_record();
  r.op = static_cast<BcrOp>(n % 6);
  r.pending_slot = n % 2 ? 1 : kNoSlot;
  r.slot[1].tries_left = static_cast<uint8_t>(n % 8);
  r.boot_attempts = n;
  return r;
}

class BcrPowerCut : public testing::TestWithParam<CutConfig> {};

// For 5 writes after a factory record: a cut at every flash op of the write, in every
// mode (torn modes with 3 seeds), leaves a store whose load() returns exactly the old
// or exactly the new record, with reads only; and the next write after power returns
// succeeds on top of it.
TEST_P(BcrPowerCut, EveryCutLeavesTheOldOrTheNewRecord) {
  const CutConfig c = GetParam();
  const Layout l = make_layout(c.erased, c.write_size, c.page_size);
  MemFlash base(l.geometry);
  ASSERT_TRUE(BcrStore(base, l).write(nth_record(0)));
  BootControl old_record = BcrStore(base, l).load()->record;
  size_t saw_old = 0, saw_new = 0;
  for (uint32_t w = 1; w <= 5; ++w) {
    // An uncut run gives the op count and the new record.
    MemFlash done = base;
    CuttingFlash counter(done, 0, CutMode::before);
    auto seq = BcrStore(counter, l).write(nth_record(w));
    ASSERT_TRUE(seq) << seq.error().message;
    BootControl new_record = nth_record(w);
    new_record.seq = *seq;
    const uint64_t ops = counter.operations();
    ASSERT_EQ(ops, 1 + (c.page_size ? 64 / c.page_size : 1));

    for (uint64_t op = 1; op <= ops; ++op)
      for (CutMode mode : flash::kAllCutModes) {
        const bool torn = mode == CutMode::torn_program || mode == CutMode::torn_erase;
        for (uint64_t seed : torn ? std::vector<uint64_t>{1, 2, 3} : std::vector<uint64_t>{0}) {
          const std::string run = "write " + std::to_string(w) + " cut at op " + std::to_string(op) +
                                  "/" + std::to_string(ops) + " " + std::string(to_string(mode)) +
                                  " seed " + std::to_string(seed);
          MemFlash f = base;
          CuttingFlash cut(f, op, mode, seed);
          auto cut_write = BcrStore(cut, l).write(nth_record(w));
          ASSERT_FALSE(cut_write) << run;
          ASSERT_EQ(cut_write.error().code, Errc::power_cut) << run;

          const uint64_t programs = f.programs(), erases = f.erases();
          const Bytes image = f.bytes();
          auto loaded = BcrStore(f, l).load();
          ASSERT_TRUE(loaded) << run << ": " << loaded.error().message;
          EXPECT_EQ(f.programs(), programs) << run;
          EXPECT_EQ(f.erases(), erases) << run;
          EXPECT_EQ(f.bytes(), image) << run;
          const bool is_old = loaded->record == old_record, is_new = loaded->record == new_record;
          ASSERT_TRUE(is_old || is_new) << run << ": selected seq " << loaded->record.seq;
          saw_old += is_old;
          saw_new += is_new;

          // Power returns: the next write lands on top of whichever record survived.
          auto next = BcrStore(f, l).write(nth_record(100 + w));
          ASSERT_TRUE(next) << run << ": " << next.error().message;
          EXPECT_EQ(*next, loaded->record.seq + 1) << run;
          auto reloaded = BcrStore(f, l).load();
          ASSERT_TRUE(reloaded) << run;
          EXPECT_EQ(reloaded->record.boot_attempts, 100 + w) << run;
        }
      }
    base = done;
    old_record = new_record;
  }
  EXPECT_GT(saw_old, 0u);
  EXPECT_GT(saw_new, 0u);  // "after" on the last program at least
}

// On blank flash there is no old record: a cut leaves "none" (not_found) or the new one.
TEST_P(BcrPowerCut, FirstWriteOnBlankFlashLeavesNothingOrTheNewRecord) {
  const CutConfig c = GetParam();
  const Layout l = make_layout(c.erased, c.write_size, c.page_size);
  for (uint64_t op = 1; op <= 2; ++op)
    for (CutMode mode : flash::kAllCutModes)
      for (uint64_t seed : {1, 2, 3}) {
        MemFlash f(l.geometry);
        CuttingFlash cut(f, op, mode, seed);
        ASSERT_FALSE(BcrStore(cut, l).write(nth_record(1)));
        auto loaded = BcrStore(f, l).load();
        if (!loaded) {
          EXPECT_EQ(loaded.error().code, Errc::not_found);
          continue;
        }
        BootControl expected = nth_record(1);
        expected.seq = 1;
        EXPECT_EQ(loaded->record, expected);
      }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, BcrPowerCut,
    testing::Values(CutConfig{0xFF, 1, 0}, CutConfig{0xFF, 8, 0}, CutConfig{0xFF, 32, 0},
                    CutConfig{0x00, 1, 0}, CutConfig{0x00, 8, 0}, CutConfig{0x00, 32, 0},
                    CutConfig{0xFF, 8, 16}, CutConfig{0x00, 32, 32}),
    [](const testing::TestParamInfo<CutConfig>& i) {
      return std::string(i.param.erased == 0xFF ? "Ff" : "Zero") + "Write" +
             std::to_string(i.param.write_size) + "Page" + std::to_string(i.param.page_size);
    });

}  // namespace
}  // namespace ota::image
