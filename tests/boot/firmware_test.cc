// The firmware's side after a boot (BOOT-SPEC §4.5 agent, A3, C7): confirm, mark-bad, heal.
#include "boot/firmware.h"

#include "device.h"

namespace ota::boot {
namespace {

using image::BcrOp;
using image::FailReason;
using image::SlotState;

class Firmware : public ::testing::TestWithParam<uint8_t> {
 protected:
  test::Device d{GetParam()};

  // Factory A (SEC_CNT 1), B (SEC_CNT `sec`) staged and booted once on trial.
  void trial_of_b(uint32_t sec) {
    d.factory(d.image(0, {.sec = 1}));
    d.stage(1, d.image(1, {.version = {2, 0, 0, 0}, .sec = sec}));
    BootResult r = d.boot();
    ASSERT_EQ(r.path, BootPath::trial) << r.reason;
  }
};
INSTANTIATE_TEST_SUITE_P(Erased, Firmware, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)), test::erased_name);

TEST_P(Firmware, ConfirmMakesTheTrialSlotActiveAndKeepsTheOldOneAsFallback) {
  trial_of_b(5);
  auto c = confirm(d.flash, d.layout, 1);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->confirmed);
  EXPECT_EQ(c->writes.size(), 1u);  // the floor stays: A is still a fallback (A3)
  EXPECT_EQ(c->floor_before, 1u);
  EXPECT_EQ(c->floor_after, 1u);
  EXPECT_EQ(c->detail, "slot B confirmed; slot A stays the fallback");
  const auto rec = d.record();
  EXPECT_EQ(rec.active_slot, 1);
  EXPECT_EQ(rec.pending_slot, image::kNoSlot);
  EXPECT_EQ(rec.op, BcrOp::confirm);
  EXPECT_EQ(rec.slot[1].state, SlotState::confirmed);
  EXPECT_EQ(rec.slot[1].priority, 15);
  EXPECT_EQ(rec.slot[1].tries_left, 3);
  EXPECT_EQ(rec.slot[0].state, SlotState::confirmed);
  EXPECT_EQ(rec.slot[0].priority, 14);
  EXPECT_EQ(d.floor(), 1u);
  // Confirming again writes nothing (C7); the next boot is a normal one.
  const uint64_t ops = d.ops();
  c = confirm(d.flash, d.layout, 1);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->confirmed);
  EXPECT_TRUE(c->writes.empty());
  EXPECT_EQ(d.ops(), ops);
  BootResult r = d.boot();
  EXPECT_EQ(r.booted, 1);
  EXPECT_EQ(r.path, BootPath::normal);
  EXPECT_EQ(d.ops(), ops);
}

TEST_P(Firmware, PreventLateFallbackRetiresTheOldSlotAndRaisesTheFloor) {
  d.layout.boot.prevent_late_fallback = true;
  trial_of_b(5);
  auto c = confirm(d.flash, d.layout, 1);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->floor_after, 5u);
  ASSERT_EQ(c->writes.size(), 2u);
  EXPECT_EQ(c->writes[1], "anti-rollback counter 1 -> 5");
  const auto rec = d.record();
  EXPECT_EQ(rec.slot[0].state, SlotState::failed);
  EXPECT_EQ(rec.slot[0].reason, FailReason::rollback_floor);
  EXPECT_EQ(d.floor(), 5u);
  // B broken now: A is no fallback any more (A5), so RECOVERY.
  d.flash.poke(d.layout.slot(1).offset + 64, Bytes{0x33});
  BootResult r = d.boot();
  EXPECT_FALSE(r.booted);
}

TEST_P(Firmware, AnOldSlotBelowTheFloorIsRetiredOnConfirm) {
  d.factory(d.image(0, {.sec = 1}));
  d.stage(1, d.image(1, {.sec = 6}));
  ASSERT_EQ(d.boot().booted, 1);
  ASSERT_TRUE(image::advance_counter(d.flash, d.layout, 3));  // the floor rose meanwhile
  auto c = confirm(d.flash, d.layout, 1);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(d.record().slot[0].reason, FailReason::rollback_floor);
  EXPECT_EQ(c->floor_after, 6u);
}

TEST_P(Firmware, ConfirmIsRejectedForASlotThatIsNotTheOneUnderTrial) {
  trial_of_b(2);
  for (int i = 0; i < 3; ++i) (void)d.boot();  // trials 2, 3, then the rollback to A
  ASSERT_EQ(d.record().slot[1].state, SlotState::failed);
  const uint64_t ops = d.ops();
  auto c = confirm(d.flash, d.layout, 1);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::rejected);
  EXPECT_NE(c.error().message.find("rolled back"), std::string::npos) << c.error().message;
  EXPECT_FALSE(mark_bad(d.flash, d.layout, 1));
  EXPECT_EQ(d.ops(), ops);
  // A pending slot the bootloader never counted a trial for is not confirmable either.
  d.stage(1, d.image(1, {.sec = 2}));
  c = confirm(d.flash, d.layout, 1);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::rejected);
}

TEST_P(Firmware, MarkBadFallsBackAtTheNextBoot) {
  trial_of_b(2);
  ASSERT_TRUE(mark_bad(d.flash, d.layout, 1));
  auto rec = d.record();
  EXPECT_EQ(rec.slot[1].state, SlotState::failed);
  EXPECT_EQ(rec.slot[1].reason, FailReason::marked_bad);
  EXPECT_EQ(rec.slot[1].priority, 0);
  EXPECT_EQ(rec.pending_slot, image::kNoSlot);
  EXPECT_EQ(rec.op, BcrOp::mark_bad);
  const uint64_t ops = d.ops();
  BootResult r = d.boot();
  EXPECT_EQ(r.booted, 0);  // immediately, with tries left
  EXPECT_EQ(r.reason, "slot A is the confirmed active slot; the last operation was mark-bad");
  EXPECT_EQ(d.ops(), ops);
}

TEST_P(Firmware, MarkBadNeverRetiresTheLastBootableSlot) {
  d.factory(d.image(0));
  auto m = mark_bad(d.flash, d.layout, 0);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::rejected);
  // With a confirmed fallback, the active slot can be marked bad: the fallback takes over.
  d.factory(d.image(0), d.image(1));
  ASSERT_TRUE(mark_bad(d.flash, d.layout, 0));
  EXPECT_EQ(d.record().active_slot, 1);
  BootResult r = d.boot();
  EXPECT_EQ(r.booted, 1);
  EXPECT_EQ(r.path, BootPath::normal);
}

TEST_P(Firmware, AnExhaustedCounterDoesNotBrick) {
  d.layout.boot.prevent_late_fallback = true;
  d.layout.counter_slots = 2;  // factory entry + one advance
  trial_of_b(5);
  ASSERT_TRUE(image::advance_counter(d.flash, d.layout, 2));  // the budget is gone
  auto c = confirm(d.flash, d.layout, 1);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->confirmed);
  EXPECT_EQ(c->floor_after, 2u);
  EXPECT_NE(c->detail.find("not advanced to 5"), std::string::npos) << c->detail;
  BootResult r = d.boot();  // the heal fails the same way and B boots anyway
  EXPECT_EQ(r.booted, 1);
  EXPECT_EQ(r.floor_after, 2u);
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_NE(r.writes[0].find("the floor stays 2"), std::string::npos) << r.writes[0];
  auto h = heal_floor(d.flash, d.layout);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, Errc::no_space);
}

TEST_P(Firmware, HealFloorIsIdempotentAndWaitsForTheTrialToEnd) {
  d.layout.boot.prevent_late_fallback = true;
  trial_of_b(5);
  auto h = heal_floor(d.flash, d.layout);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, 1u);  // B is under trial: no advance
  auto rec = d.record();
  // As if the confirm had been written and the power cut before the counter advance.
  rec.slot[1] = {SlotState::confirmed, 15, 3, FailReason::none, rec.slot[1].sec_cnt, rec.slot[1].digest32};
  rec.slot[0] = {SlotState::failed, 0, 0, FailReason::rollback_floor, rec.slot[0].sec_cnt, rec.slot[0].digest32};
  rec.active_slot = 1;
  rec.pending_slot = image::kNoSlot;
  d.write(rec);
  h = heal_floor(d.flash, d.layout);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, 5u);
  const uint64_t ops = d.ops();
  EXPECT_EQ(*heal_floor(d.flash, d.layout), 5u);
  EXPECT_EQ(d.ops(), ops);
}

}  // namespace
}  // namespace ota::boot
