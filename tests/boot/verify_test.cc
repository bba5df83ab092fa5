// BOOT-SPEC B5/I7/T6 at boot: a pending slot that fails any check is marked FAILED and the
// confirmed slot boots instead; nothing that fails verification ever boots.
#include "boot/bootloader.h"

#include "device.h"

namespace ota::boot {
namespace {

using image::FailReason;
using image::SlotState;
using image::VerifyCode;

class BootVerify : public ::testing::TestWithParam<uint8_t> {
 protected:
  test::Device d{GetParam()};

  // Factory A, then `b` staged in slot B: B must be refused with `code` and A booted.
  void expect_refused(const Bytes& b, VerifyCode code, FailReason reason = FailReason::verify, const Bytes* described = nullptr) {
    d.factory(d.image(0, {.sec = 1}));
    d.stage(1, b, described);
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 0) << r.reason;
    EXPECT_EQ(r.path, BootPath::rollback);
    ASSERT_EQ(r.checks.size(), 2u);
    EXPECT_EQ(r.checks[0].slot, 1);
    EXPECT_EQ(r.checks[0].code, code) << r.checks[0].message;
    EXPECT_FALSE(bootable(r.checks[0]));
    const auto rec = d.record();
    EXPECT_EQ(rec.slot[1].state, SlotState::failed);
    EXPECT_EQ(rec.slot[1].reason, reason);
    EXPECT_EQ(rec.slot[1].priority, 0);
    EXPECT_EQ(rec.pending_slot, image::kNoSlot);
  }
};
INSTANTIATE_TEST_SUITE_P(Erased, BootVerify, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)), test::erased_name);

TEST_P(BootVerify, EveryHeaderAndTlvByteAndSampledPayloadBytesAreCovered) {
  d.factory(d.image(0));
  const Bytes good = d.image(1, {.version = {2, 0, 0, 0}, .sec = 2});
  d.stage(1, good);
  const flash::MemFlash staged = d.flash;
  auto parsed = image::parse_image(good);
  const auto& img = std::get<image::ParsedImage>(parsed);
  std::vector<size_t> offsets;
  for (size_t i = 0; i < img.header_size; ++i) offsets.push_back(i);
  for (size_t i = img.header_size; i < img.header_size + img.image_size; i += 97) offsets.push_back(i);
  for (size_t i = img.header_size + img.image_size; i < img.total_size; ++i) offsets.push_back(i);  // both TLV areas
  for (size_t at : offsets) {
    d.flash = staged;
    d.flash.poke(d.layout.slot(1).offset + at, Bytes{uint8_t(good[at] ^ 0x01)});
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 0) << "byte " << at << " flipped, slot B booted";
    EXPECT_EQ(d.record().slot[1].state, SlotState::failed) << "byte " << at;
  }
  d.flash = staged;
  EXPECT_EQ(d.boot().booted, 1);  // and untouched, it boots
}

TEST_P(BootVerify, HeadersWithImpossibleSizesAreRefused) {
  // Sizes a bit flip cannot reach: header size 0 (alone, and with every size 0), a payload
  // past the slot, a u32 overflow,
  // an unprotected area longer than the rest of the slot.
  d.factory(d.image(0));
  const Bytes good = d.image(1, {.sec = 2});
  d.stage(1, good);
  const flash::MemFlash staged = d.flash;
  auto parsed = image::parse_image(good);
  const auto& img = std::get<image::ParsedImage>(parsed);
  const size_t info_at = img.header_size + img.image_size + img.protect_tlv_size;
  struct Patch {
    size_t at;
    Bytes value;
    VerifyCode code;
  } patches[] = {{8, {0, 0}, VerifyCode::invalid_header},
                 {8, {0, 0, 0, 0, 0, 0, 0, 0}, VerifyCode::invalid_header},  // sizes pointing back into the header
                 {12, {0, 0, 0x07, 0}, VerifyCode::too_large},
                 {12, {0xf0, 0xff, 0xff, 0xff}, VerifyCode::invalid_header},
                 {info_at + 2, {0xff, 0xff}, VerifyCode::invalid_tlv}};
  for (const auto& p : patches) {
    d.flash = staged;
    d.flash.poke(d.layout.slot(1).offset + p.at, p.value);
    BootResult r = d.boot();
    ASSERT_EQ(r.booted, 0) << "patch at " << p.at;
    EXPECT_EQ(r.checks[0].code, p.code) << "patch at " << p.at << ": " << r.checks[0].message;
  }
}

TEST_P(BootVerify, AStaleRecordDigestIsNotBootable) {
  const Bytes other = d.image(1, {.version = {3, 0, 0, 0}, .sec = 2});
  expect_refused(d.image(1, {.version = {2, 0, 0, 0}, .sec = 2}), VerifyCode::ok, FailReason::verify, &other);
  const BootResult again = d.boot();
  EXPECT_EQ(again.booted, 0);
}

TEST_P(BootVerify, AStaleRecordReportsTheMismatch) {
  d.factory(d.image(0));
  const Bytes other = d.image(1, {.version = {3, 0, 0, 0}, .sec = 7});
  d.stage(1, d.image(1, {.sec = 7}), &other);
  BootResult r = d.boot();
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_FALSE(r.checks[0].record_match);
  EXPECT_EQ(r.checks[0].code, VerifyCode::ok);
  EXPECT_NE(r.checks[0].message.find("stale boot-control record"), std::string::npos) << r.checks[0].message;
}

TEST_P(BootVerify, ARecordPointingAtAnErasedSlotIsNotBootable) {
  const Bytes described = d.image(1, {.sec = 2});
  expect_refused(Bytes{}, VerifyCode::invalid_magic, FailReason::verify, &described);
}

TEST_P(BootVerify, WrongHardwareIdIsRefused) {
  expect_refused(d.image(1, {.sec = 2, .hardware_id = "tcu-mcu-revB"}), VerifyCode::wrong_hardware);
}

TEST_P(BootVerify, AnImageSignedByAnUntrustedKeyIsRefused) {
  ota::testing::FakeSigner stranger(crypto::Algorithm::ed25519);
  expect_refused(d.image(1, {.sec = 2}, &stranger), VerifyCode::invalid_signature);
}

TEST_P(BootVerify, AnImageBuiltForTheOtherSlotsAddressIsRefused) {
  expect_refused(d.image(1, {.sec = 2, .built_for = 0}), VerifyCode::wrong_slot);
}

TEST_P(BootVerify, BelowTheFloorIsRefusedAndTheFloorIsUnchanged) {
  // A7: stored 30, image 0 -> refused, floor unchanged; an equal counter is accepted.
  d.factory(d.image(0, {.sec = 30}));
  d.stage(1, d.image(1, {.sec = 0}));
  BootResult r = d.boot();
  ASSERT_EQ(r.booted, 0);
  EXPECT_EQ(r.checks[0].code, VerifyCode::rollback);
  EXPECT_EQ(d.record().slot[1].reason, FailReason::rollback_floor);
  EXPECT_EQ(r.floor_after, 30u);
  EXPECT_EQ(d.floor(), 30u);
  d.stage(1, d.image(1, {.sec = 30}));
  r = d.boot();
  EXPECT_EQ(r.booted, 1) << r.reason;
  EXPECT_EQ(r.path, BootPath::trial);
}

TEST_P(BootVerify, BelowTheFloorIsNeverAFallbackEvenIfThatMeansRecovery) {
  // A5 (the Pixel ARB lesson): both slots fall below a floor that rose behind their back.
  d.factory(d.image(0, {.sec = 5}), d.image(1, {.sec = 5}));
  ASSERT_TRUE(image::advance_counter(d.flash, d.layout, 10));
  BootResult r = d.boot();
  EXPECT_FALSE(r.booted);
  EXPECT_EQ(r.path, BootPath::recovery);
  EXPECT_EQ(r.reason, "rollback floor 10: nothing to boot (slot A ROLLBACK, slot B ROLLBACK)");
  EXPECT_EQ(d.record().slot[0].reason, FailReason::rollback_floor);
  EXPECT_EQ(d.record().slot[1].reason, FailReason::rollback_floor);
  EXPECT_EQ(d.floor(), 10u);
}

TEST_P(BootVerify, DependenciesAreJudgedAgainstTheOtherSlot) {
  // Slot A holds image 0 (no IMAGE_TYPE) version 1.2.0.
  const auto a = [&] { return d.image(0, {.version = {1, 2, 0, 0}}); };
  expect_refused(d.image(1, {.sec = 2, .dependencies = {{0, {2, 0, 0, 0}}}}), VerifyCode::dependency);
  expect_refused(d.image(1, {.sec = 2, .dependencies = {{3, {1, 0, 0, 0}}}}), VerifyCode::dependency);
  for (auto deps : {std::vector<image::Dependency>{{0, {1, 2, 0, 0}}}, std::vector<image::Dependency>{{0, {1, 0, 0, 0}}}}) {
    d.factory(a());
    d.stage(1, d.image(1, {.sec = 2, .dependencies = deps}));
    BootResult r = d.boot();
    EXPECT_EQ(r.booted, 1) << r.reason;
  }
  // An IMAGE_TYPE on the other slot's image names it.
  d.factory(d.image(0, {.image_type = 3}));
  d.stage(1, d.image(1, {.sec = 2, .dependencies = {{3, {1, 0, 0, 0}}}}));
  EXPECT_EQ(d.boot().booted, 1);
  // A dependency on a slot that does not verify is not satisfied.
  d.factory(d.image(0), d.image(1));
  d.stage(0, d.image(0, {.sec = 2, .dependencies = {{0, {1, 0, 0, 0}}}}));
  d.flash.poke(d.layout.slot(1).offset + 50, Bytes{0x77});
  BootResult r = d.boot();
  EXPECT_FALSE(r.booted);
  ASSERT_FALSE(r.checks.empty());
  EXPECT_EQ(r.checks[0].code, VerifyCode::dependency);
  EXPECT_NE(r.checks[0].message.find("holds no verifying image (INVALID_HASH)"), std::string::npos) << r.checks[0].message;
}

}  // namespace
}  // namespace ota::boot
