#include "agent/journal.h"

#include <gtest/gtest.h>

#include "flash/cutting_flash.h"
#include "flash/mem_flash.h"

namespace ota::agent {
namespace {

image::Layout small_layout(uint64_t scratch_size) {
  auto l = image::parse_layout(
      "device: {name: j, hardware_id: hw, size: 128KiB, sector_size: 4KiB, write_size: 8, page_size: 256}\n"
      "regions:\n"
      "  - {name: bootloader, offset: 0x0, size: 8KiB}\n"
      "  - {name: rot, offset: 0x2000, size: 4KiB}\n"
      "  - {name: bcr0, offset: 0x3000, size: 4KiB}\n"
      "  - {name: bcr1, offset: 0x4000, size: 4KiB}\n"
      "  - {name: scratch, offset: 0x5000, size: " + std::to_string(scratch_size) + "}\n"
      "  - {name: slot_a, offset: 0x8000, size: 48KiB}\n"
      "  - {name: slot_b, offset: 0x14000, size: 48KiB}\n");
  EXPECT_TRUE(l) << l.error().message;
  return *l;
}

JournalRecord sample() {
  JournalRecord r;
  r.phase = JournalPhase::writing;
  r.delivery = Delivery::delta;
  r.slot = 1;
  r.attempts = 3;
  r.chunk_size = 4096;
  r.payload_length = 0x1'2345'6789ull;
  for (size_t i = 0; i < 32; ++i) {
    r.target_sha256[i] = uint8_t(i);
    r.payload_sha256[i] = uint8_t(0xff - i);
  }
  r.seq = 77;
  return r;
}

TEST(JournalRecord, RoundTripsEveryField) {
  const JournalRecord r = sample();
  const Bytes bytes = encode_journal(r);
  ASSERT_EQ(bytes.size(), kJournalSize);
  EXPECT_EQ(load_le32(bytes.data()), kJournalMagic);
  auto back = decode_journal(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, r);
}

TEST(JournalRecord, EveryFlippedByteIsRejected) {
  const Bytes good = encode_journal(sample());
  for (size_t i = 0; i < good.size(); ++i) {
    Bytes bad = good;
    bad[i] ^= 0x01;
    EXPECT_FALSE(decode_journal(bad)) << "byte " << i;
  }
  EXPECT_FALSE(decode_journal(ByteView(good).first(64)));
}

TEST(ScratchArea, FirstTwoSectorsHoldTheJournalAndTheRestStages) {
  auto area = scratch_area(small_layout(0x3000));
  ASSERT_TRUE(area) << area.error().message;
  EXPECT_EQ(area->journal[0].offset, 0x5000u);
  EXPECT_EQ(area->journal[1].offset, 0x6000u);
  ASSERT_TRUE(area->staging);
  EXPECT_EQ(area->staging->offset, 0x7000u);
  EXPECT_EQ(area->staging->size, 0x1000u);
}

TEST(ScratchArea, OneSectorIsNotEnough) {
  auto area = scratch_area(small_layout(0x1000));
  ASSERT_FALSE(area);
  EXPECT_NE(area.error().message.find("fewer than 2 sectors"), std::string::npos) << area.error().message;
}

TEST(Journal, NewDeviceHasNoneThenTheNewestWins) {
  const image::Layout layout = small_layout(0x3000);
  flash::MemFlash mem(layout.geometry);
  auto area = scratch_area(layout);
  ASSERT_TRUE(area);
  Journal journal(mem, *area);
  auto none = journal.load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  JournalRecord r = sample();
  for (uint16_t k = 1; k <= 5; ++k) {
    r.attempts = k;
    auto seq = journal.write(r);
    ASSERT_TRUE(seq) << seq.error().message;
    EXPECT_EQ(*seq, k);
    auto loaded = journal.load();
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->attempts, k);
  }
}

// C4 under every cut: after power is lost at any operation of a write, the journal
// reads as the old record or the new one, never anything else.
TEST(Journal, ACutAtAnyOperationLeavesTheOldOrTheNewRecord) {
  const image::Layout layout = small_layout(0x3000);
  auto area = scratch_area(layout);
  ASSERT_TRUE(area);
  flash::MemFlash base(layout.geometry);
  JournalRecord old_record = sample();
  {
    Journal j(base, *area);
    ASSERT_TRUE(j.write(old_record));
    old_record.attempts = 4;
    ASSERT_TRUE(j.write(old_record));
  }
  JournalRecord new_record = old_record;
  new_record.attempts = 5;
  new_record.phase = JournalPhase::committed;
  for (flash::CutMode mode : flash::kAllCutModes)
    for (uint64_t at = 1; at <= 2; ++at)
      for (uint64_t seed = 0; seed < 4; ++seed) {
        flash::MemFlash mem = base;
        flash::CuttingFlash cutting(mem, at, mode, seed);
        Journal during(cutting, *area);
        EXPECT_FALSE(during.write(new_record));
        Journal after(mem, *area);
        auto loaded = after.load();
        ASSERT_TRUE(loaded) << loaded.error().message;
        ASSERT_TRUE(*loaded);
        const uint16_t attempts = (*loaded)->attempts;
        EXPECT_TRUE(attempts == 4 || attempts == 5) << to_string(mode) << " at " << at;
        // And the next write still works.
        new_record.attempts = 6;
        ASSERT_TRUE(after.write(new_record));
        new_record.attempts = 5;
      }
}

}  // namespace
}  // namespace ota::agent
