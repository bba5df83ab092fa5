// The boot decision paths of BOOT-SPEC §4.5 and B7, T1's golden paths: factory boot,
// trial boots and the automatic rollback, fallback order, scan mode, recovery. Every test
// runs with both erased values (F2).
#include "boot/bootloader.h"

#include "boot/firmware.h"
#include "device.h"

namespace ota::boot {
namespace {

using image::BcrOp;
using image::FailReason;
using image::SlotState;
using image::VerifyCode;

class Boot : public ::testing::TestWithParam<uint8_t> {
 protected:
  test::Device d{GetParam()};
};
INSTANTIATE_TEST_SUITE_P(Erased, Boot, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)), test::erased_name);

TEST_P(Boot, FactoryImageBootsSlotAWithoutAnyFlashWrite) {
  d.factory(d.image(0, {.sec = 3}));
  const uint64_t before = d.ops();
  for (int i = 0; i < 3; ++i) {
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 0) << r.reason;
    EXPECT_EQ(r.path, BootPath::normal);
    EXPECT_EQ(r.reason, "slot A is the confirmed active slot");
    EXPECT_EQ(r.bcr_copy, 0u);
    EXPECT_EQ(r.bcr_seq, 1u);
    EXPECT_EQ(r.floor_before, 3u);
    EXPECT_EQ(r.floor_after, 3u);
    ASSERT_EQ(r.checks.size(), 1u);
    EXPECT_EQ(r.checks[0].code, VerifyCode::ok);
    EXPECT_EQ(r.checks[0].region, "slot_a");
    ASSERT_TRUE(r.image);
    EXPECT_EQ(r.image->security_counter, 3u);
    EXPECT_TRUE(r.writes.empty());
  }
  EXPECT_EQ(d.ops(), before);  // C7
  // The same through a counting wrapper that never cuts.
  flash::CuttingFlash counting(d.flash, 0, flash::CutMode::before);
  EXPECT_EQ(d.boot(&counting).booted, 0);
  EXPECT_EQ(counting.operations(), 0u);
}

TEST_P(Boot, APendingSlotGetsThreeCountedTrialsThenRollsBack) {
  d.factory(d.image(0));
  d.stage(1, d.image(1, {.version = {2, 0, 0, 0}, .sec = 2}));
  for (uint8_t n = 1; n <= 3; ++n) {
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 1) << r.reason;
    EXPECT_EQ(r.path, BootPath::trial);
    EXPECT_EQ(r.trial, n);
    EXPECT_EQ(r.tries, 3);
    EXPECT_EQ(r.reason, "slot B is pending: trial boot " + std::to_string(n) + " of 3");
    ASSERT_EQ(r.writes.size(), 1u);  // B2: the decrement, before the jump
    const auto rec = d.record();
    EXPECT_EQ(rec.slot[1].state, SlotState::trial);
    EXPECT_EQ(rec.slot[1].tries_left, 3 - n);
    EXPECT_EQ(rec.boot_attempts, n);
    EXPECT_EQ(rec.pending_slot, 1);
    EXPECT_EQ(r.image->version, (image::ImageVersion{2, 0, 0, 0}));
  }
  BootResult r = d.boot();
  ASSERT_EQ(r.booted, 0);
  EXPECT_EQ(r.path, BootPath::rollback);
  EXPECT_EQ(r.reason, "slot B used all its trial boots without a confirm: rolled back to slot A");
  auto rec = d.record();
  EXPECT_EQ(rec.slot[1].state, SlotState::failed);
  EXPECT_EQ(rec.slot[1].reason, FailReason::tries_exhausted);
  EXPECT_EQ(rec.slot[1].priority, 0);
  EXPECT_EQ(rec.pending_slot, image::kNoSlot);
  EXPECT_EQ(rec.op, BcrOp::rollback);
  EXPECT_EQ(rec.active_slot, 0);
  // ROLLED_BACK, then NORMAL: no more writes.
  const uint64_t ops = d.ops();
  r = d.boot();
  EXPECT_EQ(r.booted, 0);
  EXPECT_EQ(r.path, BootPath::normal);
  EXPECT_EQ(r.reason, "slot A is the confirmed active slot; the last operation was rollback");
  EXPECT_EQ(d.ops(), ops);
}

TEST_P(Boot, TriesFollowTheLayout) {
  d.layout.boot.tries = 1;  // Mender: one trial boot
  d.factory(d.image(0));
  d.stage(1, d.image(1, {.sec = 2}));
  BootResult r = d.boot();
  EXPECT_EQ(r.booted, 1);
  EXPECT_EQ(r.trial, 1);
  EXPECT_EQ(r.tries, 1);
  EXPECT_EQ(d.boot().booted, 0);
}

TEST_P(Boot, UpdatesOfAThenBThenAAdvanceSeqAndTheFloor) {
  d.factory(d.image(0, {.sec = 1}));
  uint32_t seq = 1;
  const uint32_t floors[] = {1, 2, 3};  // A3: the minimum over the slot and its fallback
  for (int step = 0; step < 3; ++step) {
    const int target = step % 2 == 0 ? 1 : 0;
    const uint32_t sec = uint32_t(step + 2);
    d.stage(target, d.image(target, {.version = {uint8_t(step + 2), 0, 0, 0}, .sec = sec}));
    seq += 2;  // INSTALLING, then PENDING
    EXPECT_EQ(d.record().seq, seq);
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, target) << r.reason;
    EXPECT_EQ(r.path, BootPath::trial);
    EXPECT_EQ(r.bcr_seq, seq);
    ++seq;
    auto c = confirm(d.flash, d.layout, target);
    ASSERT_TRUE(c) << c.error().message;
    ++seq;
    const auto rec = d.record();
    EXPECT_EQ(rec.seq, seq);
    EXPECT_EQ(rec.active_slot, target);
    EXPECT_EQ(rec.slot[size_t(1 - target)].state, SlotState::confirmed);
    EXPECT_EQ(rec.slot[size_t(1 - target)].priority, 14);
    EXPECT_EQ(d.floor(), floors[step]);
    r = d.boot();
    EXPECT_EQ(r.booted, target);
    EXPECT_EQ(r.path, BootPath::normal);
    EXPECT_TRUE(r.writes.empty());
  }
  EXPECT_EQ(seq, 13u);
}

TEST_P(Boot, AFailingActiveSlotFallsBackToTheConfirmedOther) {
  d.factory(d.image(0, {.sec = 2}), d.image(1, {.sec = 2}));
  Bytes a(d.layout.slot(0).size);
  ASSERT_TRUE(d.flash.read(d.layout.slot(0).offset, a));
  d.flash.poke(d.layout.slot(0).offset + 100, Bytes{uint8_t(a[100] ^ 0x10)});  // a payload byte
  BootResult r = d.boot();
  ASSERT_EQ(r.booted, 1) << r.reason;
  EXPECT_EQ(r.path, BootPath::rollback);
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_EQ(r.checks[0].slot, 0);
  EXPECT_EQ(r.checks[0].code, VerifyCode::invalid_hash);
  EXPECT_EQ(r.checks[1].slot, 1);
  EXPECT_EQ(d.record().slot[0].state, SlotState::failed);
  EXPECT_EQ(d.record().slot[0].reason, FailReason::verify);
  // From then on B boots with no writes; A is not judged again (priority 0).
  const uint64_t ops = d.ops();
  r = d.boot();
  EXPECT_EQ(r.booted, 1);
  EXPECT_EQ(r.path, BootPath::normal);
  EXPECT_EQ(r.reason, "slot B is a confirmed fallback (active slot A is not bootable); the last operation was rollback");
  EXPECT_EQ(r.checks.size(), 1u);
  EXPECT_EQ(d.ops(), ops);
}

TEST_P(Boot, FallbacksAreOrderedByPriorityThenTries) {
  d.factory(d.image(0), d.image(1));
  auto rec = d.record();
  rec.active_slot = image::kNoSlot;  // no active: the order is the others', best first
  rec.slot[0].priority = 9;
  rec.slot[1].priority = 12;
  d.write(rec);
  EXPECT_EQ(d.boot().booted, 1);
  rec = d.record();
  rec.slot[0].priority = 12;
  rec.slot[1].tries_left = 2;
  d.write(rec);
  EXPECT_EQ(d.boot().booted, 0);
}

TEST_P(Boot, ScanModeBootsTheHighestVerifyingSlotOnTrial) {
  for (bool corrupt : {false, true}) {
    d.factory(d.image(0, {.version = {1, 0, 0, 0}, .sec = 1}), d.image(1, {.version = {2, 0, 0, 0}, .sec = 2}));
    const image::Region& b0 = *d.layout.find("bcr0");
    if (corrupt) {
      Bytes byte(1);
      ASSERT_TRUE(d.flash.read(b0.offset + 20, byte));
      d.flash.poke(b0.offset + 20, Bytes{uint8_t(byte[0] ^ 4)});  // bad CRC; bcr1 is erased
    } else {
      ASSERT_TRUE(d.flash.erase(b0.offset, b0.size));
    }
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 1) << r.reason;
    EXPECT_EQ(r.path, BootPath::scan);
    EXPECT_FALSE(r.bcr_copy);
    EXPECT_EQ(r.trial, 1);
    EXPECT_EQ(r.tries, 3);
    EXPECT_EQ(r.checks.size(), 2u);
    auto rec = d.record();
    EXPECT_EQ(rec.pending_slot, 1);
    EXPECT_EQ(rec.slot[1].state, SlotState::trial);
    EXPECT_EQ(rec.slot[1].tries_left, 2);
    EXPECT_EQ(rec.slot[1].priority, 15);
    EXPECT_EQ(rec.slot[0].state, SlotState::confirmed);
    EXPECT_EQ(rec.slot[0].priority, 14);
    EXPECT_EQ(rec.active_slot, 0);
    // Never confirmed: the tries run out and the other verifying slot boots.
    EXPECT_EQ(d.boot().trial, 2);
    EXPECT_EQ(d.boot().trial, 3);
    r = d.boot();
    EXPECT_EQ(r.booted, 0);
    EXPECT_EQ(r.path, BootPath::rollback);
  }
}

TEST_P(Boot, ScanModeRanksBySecurityCounterThenVersion) {
  struct Case {
    image::ImageVersion a, b;
    uint32_t sec_a, sec_b;
    int expect;
  } cases[] = {{{1, 0, 0, 0}, {1, 1, 0, 0}, 5, 5, 1}, {{3, 0, 0, 0}, {4, 0, 0, 0}, 9, 2, 0}, {{1, 0, 0, 0}, {1, 0, 0, 0}, 4, 4, 0}};
  for (const auto& c : cases) {
    d.factory(d.image(0, {.version = c.a, .sec = c.sec_a}), d.image(1, {.version = c.b, .sec = c.sec_b}));
    for (const char* name : {"bcr0", "bcr1"}) ASSERT_TRUE(d.flash.erase(d.layout.find(name)->offset, 4096));
    EXPECT_EQ(d.boot().booted, c.expect);
  }
}

TEST_P(Boot, ScanModeWithOneVerifyingSlotHasNoFallback) {
  d.factory(d.image(0, {.sec = 4}));
  ASSERT_TRUE(d.flash.erase(d.layout.find("bcr0")->offset, 4096));
  BootResult r = d.boot();
  ASSERT_EQ(r.booted, 0);
  EXPECT_EQ(r.path, BootPath::scan);
  EXPECT_EQ(r.checks[1].code, VerifyCode::invalid_magic);
  auto rec = d.record();
  EXPECT_EQ(rec.slot[1].state, SlotState::empty);
  EXPECT_EQ(rec.active_slot, image::kNoSlot);
  auto c = confirm(d.flash, d.layout, 0);  // the agent confirms: NORMAL again
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(d.boot().path, BootPath::normal);
}

TEST_P(Boot, NoVerifyingSlotIsRecoveryAndNothingUnverifiedBoots) {
  d.factory(d.image(0));
  d.flash.poke(d.layout.slot(0).offset + 40, Bytes{0x5a});  // a payload byte
  BootResult r = d.boot();
  EXPECT_FALSE(r.booted);
  EXPECT_FALSE(r.image);
  EXPECT_EQ(r.path, BootPath::recovery);
  EXPECT_EQ(r.reason, "nothing to boot (slot A INVALID_HASH)");
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_EQ(d.record().slot[0].state, SlotState::failed);
  // The next reset has no candidate at all and writes nothing.
  const uint64_t ops = d.ops();
  r = d.boot();
  EXPECT_EQ(r.path, BootPath::recovery);
  EXPECT_EQ(r.reason, "nothing to boot (no slot is bootable by the record: slot A failed (verify), slot B empty)");
  EXPECT_TRUE(r.checks.empty());
  EXPECT_EQ(d.ops(), ops);
  // Scan mode with nothing verifying: recovery too.
  for (const char* name : {"bcr0", "bcr1"}) ASSERT_TRUE(d.flash.erase(d.layout.find(name)->offset, 4096));
  r = d.boot();
  EXPECT_EQ(r.path, BootPath::recovery);
  EXPECT_EQ(r.reason, "no valid boot-control record and no slot verifies (slot A INVALID_HASH, slot B INVALID_MAGIC)");
}

TEST_P(Boot, AnUnreadableRootOfTrustIsRecovery) {
  d.factory(d.image(0));
  const image::Region& rot = *d.layout.find("rot");
  ASSERT_TRUE(d.flash.erase(rot.offset, rot.size));
  BootResult r = d.boot();
  EXPECT_EQ(r.path, BootPath::recovery);
  EXPECT_NE(r.reason.find("not provisioned"), std::string::npos) << r.reason;
  EXPECT_TRUE(r.writes.empty());
}

TEST_P(Boot, AFlashMapThatDiffersFromTheLayoutIsRefusedWithoutAWrite) {
  d.factory(d.image(0));
  d.stage(1, d.image(1, {.sec = 2}));
  image::Layout other = d.layout;
  other.boot.tries = 5;
  const uint64_t ops = d.ops();
  auto r = boot(d.flash, other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_NE(r.error().message.find("(L6)"), std::string::npos) << r.error().message;
  EXPECT_EQ(d.ops(), ops);
}

}  // namespace
}  // namespace ota::boot
