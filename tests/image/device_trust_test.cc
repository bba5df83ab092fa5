// The device's own trust, read back from a factory flash (I4, A2): what the bootloader and
// the agent judge slot images with.
#include "image/device_trust.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "fakes/fake_signer.h"
#include "flash/mem_flash.h"
#include "image/factory.h"
#include "image/key_table.h"

namespace ota::image {
namespace {

Layout mcu() {
  std::ifstream in(std::string(OTA_EXAMPLES) + "/mcu-1mib.layout.yaml", std::ios::binary);
  auto l = parse_layout(std::string(std::istreambuf_iterator<char>(in), {}));
  EXPECT_TRUE(l) << l.error().message;
  return *l;
}

Bytes image_for(testing::FakeSigner& key, uint32_t sec, uint32_t addr) {
  ImageSpec s;
  s.version = {1, 0, 0, 0};
  s.security_counter = sec;
  s.hardware_id = "tcu-mcu-revA";
  s.vendor = "example.com";
  s.rom_fixed = addr;
  signer::Signer* signers[] = {&key};
  return *sign_image(Bytes(300, 7), s, signers);
}

TEST(DeviceTrust, ReadsTheKeysAndTheRootOfTrustTheFactoryWrote) {
  const Layout l = mcu();
  testing::FakeSigner a(crypto::Algorithm::ed25519), b(crypto::Algorithm::ecdsa_p256);
  // Threshold 2: the image carries both signatures.
  ImageSpec s;
  s.version = {1, 0, 0, 0};
  s.security_counter = 7;
  s.hardware_id = "tcu-mcu-revA";
  s.vendor = "example.com";
  s.rom_fixed = 0x08020000;
  signer::Signer* both[] = {&a, &b};
  FactoryRequest req{{a.public_key(), b.public_key()}, 2, *sign_image(Bytes(300, 7), s, both), std::nullopt};
  flash::MemFlash f(l.geometry);
  ASSERT_TRUE(build_factory(f, l, req));
  auto t = read_device_trust(f, l);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->keys.size(), 2u);
  EXPECT_EQ(t->rot.threshold, 2);
  EXPECT_EQ(t->rot.counter, 7u);

  const TrustPolicy pa = slot_policy(l, *t, 0, 7);
  EXPECT_EQ(pa.keys.size(), 2u);
  EXPECT_EQ(pa.threshold, 2);
  EXPECT_EQ(pa.hardware_id, "tcu-mcu-revA");
  EXPECT_EQ(pa.vendor, "example.com");
  EXPECT_EQ(pa.min_security_counter, 7u);
  EXPECT_EQ(pa.slot_address, 0x08020000u);
  EXPECT_EQ(slot_policy(l, *t, 1, std::nullopt).slot_address, 0x08090000u);
  EXPECT_FALSE(slot_policy(l, *t, 1, std::nullopt).min_security_counter);
}

TEST(DeviceTrust, AKeyInTheTableButNotInRotIsNotTrusted) {
  const Layout l = mcu();
  testing::FakeSigner a, stranger;
  DeviceTrust t{{a.public_key(), stranger.public_key()}, {}};
  t.rot.key_hashes = {key_hash(a.public_key())};
  const TrustPolicy p = slot_policy(l, t, 0, std::nullopt);
  ASSERT_EQ(p.keys.size(), 1u);
  EXPECT_TRUE(p.keys[0] == a.public_key());
  EXPECT_EQ(p.trusted, t.rot.key_hashes);
}

TEST(DeviceTrust, ABrokenKeyTableIsCorruptAnErasedRotIsNotFound) {
  for (uint8_t erased : {uint8_t(0xFF), uint8_t(0x00)}) {
    Layout l = mcu();
    l.geometry.devices[0].erased = erased;
    testing::FakeSigner a;
    flash::MemFlash f(l.geometry);
    ASSERT_TRUE(build_factory(f, l, {{a.public_key()}, 1, image_for(a, 1, 0x08020000), std::nullopt}));
    // rot erased
    flash::MemFlash no_rot = f;
    ASSERT_TRUE(no_rot.erase(l.find("rot")->offset, l.find("rot")->size));
    auto t = read_device_trust(no_rot, l);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, Errc::not_found);
    // one bit of the key table flipped: its CRC fails
    flash::MemFlash bad = f;
    const uint64_t at = l.find("bootloader")->offset + key_table_offset(l) + 20;
    bad.poke(at, Bytes{uint8_t(f.bytes()[at] ^ 1)});
    t = read_device_trust(bad, l);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, Errc::corrupt);
    EXPECT_NE(t.error().message.find("key table"), std::string::npos) << t.error().message;
    EXPECT_TRUE(read_device_trust(f, l));
  }
}

}  // namespace
}  // namespace ota::image
