// Factory flash images: build on the example layouts, then read back as `ota-image info`
// and the emulated bootloader will (L6-L8, C2/L7, I4, A1).
#include "image/factory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "fakes/fake_signer.h"
#include "flash/mem_flash.h"
#include "image/flash_map.h"

namespace ota::image {
namespace {

Layout example(const std::string& name) {
  std::ifstream in(std::string(OTA_EXAMPLES) + "/" + name, std::ios::binary);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  auto l = parse_layout(text);
  EXPECT_TRUE(l) << l.error().message;
  return *l;
}

Bytes signed_image(testing::FakeSigner& key, ImageVersion v, uint32_t sec, std::optional<uint32_t> rom_fixed,
                   const std::string& hw = "tcu-mcu-revA", size_t size = 5000) {
  ImageSpec s;
  s.version = v;
  s.security_counter = sec;
  s.hardware_id = hw;
  s.vendor = "example.com";
  s.rom_fixed = rom_fixed;
  signer::Signer* signers[] = {&key};
  auto made = sign_image(Bytes(size, uint8_t(v.major)), s, signers);
  EXPECT_TRUE(made);
  return *made;
}

TEST(Factory, BuildsAndInspectsTheMcuExample) {
  const Layout l = example("mcu-1mib.layout.yaml");
  testing::FakeSigner key(crypto::Algorithm::ecdsa_p256);
  FactoryRequest req;
  req.trust = {key.public_key()};
  req.slot_a = signed_image(key, {1, 0, 0, 0}, 5, 0x08020000);
  flash::MemFlash f(l.geometry);
  auto made = build_factory(f, l, req);
  ASSERT_TRUE(made) << made.error().message;
  // L7: slot A confirmed, priority 15, B empty, seq 1, floor = A's SEC_CNT.
  EXPECT_EQ(made->bcr.seq, 1u);
  EXPECT_EQ(made->bcr.active_slot, 0);
  EXPECT_EQ(made->bcr.pending_slot, kNoSlot);
  EXPECT_EQ(made->bcr.slot[0].state, SlotState::confirmed);
  EXPECT_EQ(made->bcr.slot[0].priority, 15);
  EXPECT_EQ(made->bcr.slot[0].tries_left, 3);
  EXPECT_EQ(made->bcr.slot[0].sec_cnt, 5u);
  EXPECT_EQ(made->bcr.slot[1].state, SlotState::empty);
  EXPECT_EQ(made->counter, 5u);
  // Everything outside what was written is erased.
  const Region& a = l.slot(0);
  EXPECT_EQ(f.bytes()[a.offset + a.size - 1], 0xFF);
  EXPECT_EQ(f.bytes()[l.slot(1).offset], 0xFF);

  auto seen = inspect_flash(f.bytes(), std::nullopt);  // the layout from the flash map alone
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(encode_flash_map(seen->layout), encode_flash_map(l));
  EXPECT_FALSE(seen->layout_problem);
  ASSERT_EQ(seen->bootloader_keys.size(), 1u);
  EXPECT_TRUE(seen->bootloader_keys[0] == key.public_key());
  ASSERT_TRUE(seen->rot) << *seen->rot_problem;
  EXPECT_EQ(seen->rot->counter, 5u);
  ASSERT_TRUE(seen->bcr) << *seen->bcr_problem;
  EXPECT_EQ(seen->bcr->record, made->bcr);
  ASSERT_EQ(seen->slots.size(), 2u);
  ASSERT_TRUE(seen->slots[0].report);
  EXPECT_EQ(seen->slots[0].report->code, VerifyCode::ok) << seen->slots[0].report->message;
  EXPECT_FALSE(seen->slots[0].bcr_mismatch);
  EXPECT_TRUE(seen->slots[1].empty);
  // With the same layout given: no disagreement.
  auto with_layout = inspect_flash(f.bytes(), l);
  ASSERT_TRUE(with_layout);
  EXPECT_FALSE(with_layout->layout_problem);
}

TEST(Factory, SlotBIsAConfirmedFallbackAndTheFloorIsTheLowerCounter) {
  const Layout l = example("mcu-1mib.layout.yaml");
  testing::FakeSigner key(crypto::Algorithm::ed25519);
  FactoryRequest req;
  req.trust = {key.public_key()};
  req.slot_a = signed_image(key, {2, 0, 0, 0}, 9, 0x08020000);
  req.slot_b = signed_image(key, {1, 0, 0, 0}, 4, 0x08090000);
  flash::MemFlash f(l.geometry);
  auto made = build_factory(f, l, req);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->bcr.slot[1].state, SlotState::confirmed);
  EXPECT_EQ(made->bcr.slot[1].priority, 14);
  EXPECT_EQ(made->counter, 4u);
  auto seen = inspect_flash(f.bytes(), std::nullopt);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->slots[1].report->code, VerifyCode::ok) << seen->slots[1].report->message;
}

TEST(Factory, RefusesImagesTheBootloaderWouldRefuse) {
  const Layout l = example("mcu-1mib.layout.yaml");
  testing::FakeSigner key(crypto::Algorithm::ecdsa_p256), stranger(crypto::Algorithm::ecdsa_p256);
  auto build = [&](FactoryRequest req) {
    flash::MemFlash f(l.geometry);
    return build_factory(f, l, req);
  };
  FactoryRequest req;
  req.trust = {key.public_key()};
  req.slot_a = signed_image(stranger, {1, 0, 0, 0}, 1, 0x08020000);
  auto r = build(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_NE(r.error().message.find("INVALID_SIGNATURE"), std::string::npos) << r.error().message;

  req.slot_a = signed_image(key, {1, 0, 0, 0}, 1, 0x08020000, "tcu-mcu-revB");
  r = build(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("WRONG_HARDWARE"), std::string::npos) << r.error().message;

  req.slot_a = signed_image(key, {1, 0, 0, 0}, 1, 0x08090000);  // built for slot B's address
  r = build(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("WRONG_SLOT"), std::string::npos) << r.error().message;

  req.slot_a = signed_image(key, {1, 0, 0, 0}, 1, 0x08020000, "tcu-mcu-revA", 0x70000);  // too big for the slot
  r = build(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("bytes larger than region 'slot_a'"), std::string::npos) << r.error().message;

  req.slot_a = signed_image(key, {1, 0, 0, 0}, 1, 0x08020000);
  req.slot_a[req.slot_a.size() / 2] ^= 1;  // a payload bit flipped
  r = build(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("INVALID_HASH"), std::string::npos) << r.error().message;

  req.slot_a = signed_image(key, {1, 0, 0, 0}, 1, 0x08020000);
  req.trust.clear();
  EXPECT_FALSE(build(req));
}

TEST(Factory, InspectionReportsTamperingWithoutFailing) {
  const Layout l = example("mcu-1mib.layout.yaml");
  testing::FakeSigner key(crypto::Algorithm::ecdsa_p256);
  FactoryRequest req;
  req.trust = {key.public_key()};
  req.slot_a = signed_image(key, {1, 0, 0, 0}, 5, 0x08020000);
  flash::MemFlash f(l.geometry);
  ASSERT_TRUE(build_factory(f, l, req));
  Bytes bytes = f.bytes();
  bytes[l.slot(0).offset + 100] ^= 1;                  // payload
  bytes[l.find("bcr0")->offset + 20] ^= 1;             // the only valid BCR copy
  auto seen = inspect_flash(bytes, std::nullopt);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->slots[0].report->code, VerifyCode::invalid_hash);
  EXPECT_FALSE(seen->bcr);
  EXPECT_TRUE(seen->bcr_problem);
  // A root of trust that is not provisioned trusts nothing: the intact slot fails too.
  Bytes no_rot = f.bytes();
  const Region& rot = *l.find("rot");
  std::fill(no_rot.begin() + long(rot.offset), no_rot.begin() + long(rot.offset + rot.size), 0xFF);
  auto unprovisioned = inspect_flash(no_rot, std::nullopt);
  ASSERT_TRUE(unprovisioned);
  EXPECT_FALSE(unprovisioned->rot);
  EXPECT_EQ(unprovisioned->slots[0].report->code, VerifyCode::invalid_signature);
  // A flash map that disagrees with the given layout is reported.
  Layout other = l;
  other.boot.tries = 5;
  auto mismatch = inspect_flash(f.bytes(), other);
  ASSERT_TRUE(mismatch);
  EXPECT_TRUE(mismatch->layout_problem);
  // No flash map and no layout: nothing to go on.
  EXPECT_FALSE(inspect_flash(Bytes(l.geometry.size(), 0xFF), std::nullopt));
}

TEST(Factory, LinuxClassLayoutHasEqualSlotsAndRoomForTheFlashMap) {
  // The 1 GiB Linux-class example validates and its flash map and key table fit.
  const Layout l = example("linux-2x256mib.layout.yaml");
  EXPECT_EQ(l.slot(0).size, 256ull << 20);
  EXPECT_EQ(l.slot(0).size, l.slot(1).size);
  EXPECT_LT(flash_map_size(l), l.find("bootloader")->size);
}

}  // namespace
}  // namespace ota::image
