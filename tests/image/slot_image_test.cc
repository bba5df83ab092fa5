// Slot images in MCUboot's container: golden bytes cross-checked with imgtool, round
// trips for each algorithm, and every BOOT-SPEC I5 rule as a rejection (I7: flipping any
// header or TLV byte is rejected).
#include "image/slot_image.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "fakes/fake_signer.h"
#include "io/posix_storage.h"
#include "signer/signer.h"

namespace ota::image {
namespace {

Bytes read_data(const std::string& name) {
  std::ifstream in(std::string(OTA_TEST_DATA) + "/image/" + name, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

ImageSpec golden_spec() {
  ImageSpec s;
  s.version = {1, 2, 3, 4};
  s.security_counter = 7;
  s.hardware_id = "tcu-mcu-revA";
  s.vendor = "example.com";
  s.rom_fixed = 0x08020000;
  s.build_info = "golden";
  return s;
}

struct Signed {
  Bytes image;
  std::vector<std::unique_ptr<testing::FakeSigner>> signers;
  TrustPolicy policy() const {
    TrustPolicy p;
    for (const auto& s : signers) {
      p.keys.push_back(s->public_key());
      p.trusted.push_back(key_hash(s->public_key()));
    }
    p.hardware_id = "tcu-mcu-revA";
    p.vendor = "example.com";
    return p;
  }
};

Signed make_signed(std::vector<crypto::Algorithm> algorithms, Bytes payload = Bytes(3000, 0x5a)) {
  Signed out;
  std::vector<signer::Signer*> raw;
  for (auto a : algorithms) {
    out.signers.push_back(std::make_unique<testing::FakeSigner>(a));
    raw.push_back(out.signers.back().get());
  }
  auto made = sign_image(payload, golden_spec(), raw);
  EXPECT_TRUE(made) << made.error().message;
  out.image = *made;
  return out;
}

TEST(ImageVersion, ParsesImgtoolGrammar) {
  EXPECT_EQ(*parse_version("1.2.3+4"), (ImageVersion{1, 2, 3, 4}));
  EXPECT_EQ(*parse_version("7"), (ImageVersion{7, 0, 0, 0}));
  EXPECT_EQ(*parse_version("0.9"), (ImageVersion{0, 9, 0, 0}));
  EXPECT_EQ(*parse_version("255.255.65535+4294967295"), (ImageVersion{255, 255, 65535, 4294967295u}));
  for (const char* bad : {"", "1.", "1..2", "01.2", "1.2.3.4", "256.0.0", "1.2.65536", "1.2+3", "1.2.3+",
                          "1.2.3+4294967296", "-1", "1.2.3 ", "v1.2.3", "1.2.3+01"})
    EXPECT_FALSE(parse_version(bad)) << bad;
  EXPECT_EQ(to_string(ImageVersion{1, 2, 3, 4}), "1.2.3+4");
}

TEST(ImageVersion, AutoSecurityCounterIgnoresBuild) {
  EXPECT_EQ(auto_security_counter({1, 2, 3, 99}), 0x01020003u);
  EXPECT_EQ(auto_security_counter({255, 0, 65535, 0}), 0xff00ffffu);
}

TEST(ImageUuid, Version5AsRfc4122AndImgtool) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  EXPECT_EQ(to_string(vendor_uuid("python.org")), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  // imgtool --vid example.com --cid tcu-mcu-revA wrote these bytes (tests/data/image/imgtool-ecdsa.slot)
  const Uuid vid = vendor_uuid("example.com");
  EXPECT_EQ(to_string(vid), "cfbff0d1-9375-5685-968c-48ce8b15ae17");
  EXPECT_EQ(to_string(class_uuid(vid, "tcu-mcu-revA")), "5a4d4066-7d4f-5310-a846-ac4dc9e1350f");
  EXPECT_EQ(to_string(vendor_uuid("12345678-9abc-def0-1234-56789abcdef0")), "12345678-9abc-def0-1234-56789abcdef0");
}

TEST(SlotImageGolden, HeaderBytesAreMcubootsLayout) {
  auto region = build_signed_region(read_data("payload.bin"), golden_spec());
  ASSERT_TRUE(region);
  // magic, load addr 0x08020000, hdr 32, protected 78, img 1000, ROM_FIXED, 1.2.3+4, pad
  EXPECT_EQ(to_hex(ByteView(*region).first(32)),
            "3db8f3960000020820004e00e803000000010000010203000400000000000000");
  // protected area: info, SEC_CNT 7, UUID_VID, UUID_CID, HW_ID, BUILD_INFO in ascending type order
  EXPECT_EQ(to_hex(ByteView(*region).subspan(1032, 12)), "08694e005000040007000000");
  EXPECT_EQ(region->size(), 32u + 1000 + 78);
}

TEST(SlotImageGolden, HashedRegionIsByteIdenticalToImgtool) {
  // imgtool sign --header-size 0x200 --pad-header --version 1.2.3+4 --security-counter 7
  //   --vid example.com --cid tcu-mcu-revA --custom-tlv 0xa0 tcu-mcu-revA
  //   --custom-tlv 0xa2 golden -F 0x08020000 --vector-to-sign payload (PROVENANCE.md)
  ImageSpec spec = golden_spec();
  spec.header_size = 0x200;
  auto region = build_signed_region(read_data("payload.bin"), spec);
  ASSERT_TRUE(region);
  EXPECT_EQ(*region, read_data("imgtool-region-hdr512.bin"));
}

TEST(SlotImageGolden, Ed25519ImageIsReproducedByteForByte) {
  io::PosixStorage fs;
  auto key = signer::open_signer(fs, "file:" + std::string(OTA_TEST_DATA) + "/image/ed25519-test.pem", {});
  ASSERT_TRUE(key) << key.error().message;
  signer::Signer* signers[] = {key->get()};
  auto made = sign_image(read_data("payload.bin"), golden_spec(), signers);
  ASSERT_TRUE(made);
  EXPECT_EQ(*made, read_data("golden-ed25519.slot"));  // imgtool verify accepts this file
}

TEST(SlotImageGolden, AcceptsAnImageImgtoolSigned) {
  auto pub = crypto::PublicKey::from_pem(
      std::string(reinterpret_cast<const char*>(read_data("ecdsa-test.pub.pem").data()), read_data("ecdsa-test.pub.pem").size()));
  ASSERT_TRUE(pub);
  TrustPolicy p;
  p.keys = {*pub};
  p.trusted = {key_hash(*pub)};
  p.hardware_id = "tcu-mcu-revA";
  p.vendor = "example.com";
  const Bytes image = read_data("imgtool-ecdsa.slot");
  auto r = verify_image(image, p);
  EXPECT_EQ(r.code, VerifyCode::ok) << r.message;
  ASSERT_TRUE(r.image);
  EXPECT_EQ(r.image->version, (ImageVersion{3, 1, 0, 9}));
  EXPECT_EQ(r.image->security_counter, 12u);
  EXPECT_EQ(r.image->hardware_id, "tcu-mcu-revA");
}

TEST(SlotImage, RoundTripsForEveryAlgorithmAndSeveralSigners) {
  using A = crypto::Algorithm;
  for (auto algos : std::vector<std::vector<A>>{{A::ed25519}, {A::ecdsa_p256}, {A::rsa_pss_3072}, {A::ecdsa_p256, A::ed25519, A::rsa_pss_3072}}) {
    Signed s = make_signed(algos);
    TrustPolicy p = s.policy();
    p.threshold = uint8_t(algos.size());
    auto r = verify_image(s.image, p);
    EXPECT_EQ(r.code, VerifyCode::ok) << r.message;
    EXPECT_EQ(r.trusted_signatures, algos.size());
    ASSERT_TRUE(r.image);
    EXPECT_EQ(r.image->signatures.size(), algos.size());
    EXPECT_EQ(r.image->sha256, crypto::sha256(ByteView(s.image).first(r.image->region_size)));
    for (size_t i = 0; i < algos.size(); ++i) EXPECT_EQ(r.image->signatures[i].type, signature_tlv_type(algos[i]));
  }
}

TEST(SlotImage, Ed25519SignsTheDigestOthersTheRegion) {
  const Bytes region(100, 1);
  const auto d = crypto::sha256(region);
  EXPECT_EQ(message_to_sign(crypto::Algorithm::ed25519, region), Bytes(d.begin(), d.end()));
  EXPECT_EQ(message_to_sign(crypto::Algorithm::ecdsa_p256, region), region);
  EXPECT_EQ(message_to_sign(crypto::Algorithm::rsa_pss_3072, region), region);
}

TEST(SlotImage, AssembleRefusesASignatureThatDoesNotVerify) {
  auto region = build_signed_region(Bytes(10, 1), golden_spec());
  ASSERT_TRUE(region);
  testing::FakeSigner s(crypto::Algorithm::ecdsa_p256);
  auto other = build_signed_region(Bytes(10, 2), golden_spec());
  auto sig = s.sign(*other);
  ASSERT_TRUE(sig);
  auto made = assemble_image(*region, {{s.public_key(), *sig}});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, Errc::rejected);
  auto twice = assemble_image(*region, {{s.public_key(), *s.sign(*region)}, {s.public_key(), *s.sign(*region)}});
  EXPECT_FALSE(twice);
}

TEST(SlotImage, BuildRefusesBadSpecs) {
  ImageSpec s = golden_spec();
  s.header_size = 36;
  EXPECT_FALSE(build_signed_region({}, s));
  s = golden_spec();
  s.header_size = 24;
  EXPECT_FALSE(build_signed_region({}, s));
  s = golden_spec();
  s.hardware_id = "";
  EXPECT_FALSE(build_signed_region({}, s));
  s.hardware_id = "has space";
  EXPECT_FALSE(build_signed_region({}, s));
  s = golden_spec();
  s.dependencies = {{1, {1, 0, 0, 0}}, {1, {2, 0, 0, 0}}};
  EXPECT_FALSE(build_signed_region({}, s));
}

TEST(SlotImage, HeaderPaddingIsTheErasedValue) {
  ImageSpec s = golden_spec();
  s.header_size = 64;
  s.erased = 0x00;
  auto region = build_signed_region(Bytes(8, 1), s);
  ASSERT_TRUE(region);
  EXPECT_EQ(Bytes(region->begin() + 32, region->begin() + 64), Bytes(32, 0x00));
  s.erased = 0xFF;
  region = build_signed_region(Bytes(8, 1), s);
  EXPECT_EQ(Bytes(region->begin() + 32, region->begin() + 64), Bytes(32, 0xFF));
}

TEST(SlotImage, RsaKeyHashIsOverPkcs1NotSpki) {
  testing::FakeSigner rsa(crypto::Algorithm::rsa_pss_3072);
  const Bytes spki = rsa.public_key().spki_der();
  // SPKI for RSA: 30 82 LL LL | 30 0d <rsaEncryption, NULL> | 03 82 LL LL 00 | RSAPublicKey
  ASSERT_GT(spki.size(), 24u);
  const Bytes pkcs1(spki.begin() + 24, spki.end());
  EXPECT_EQ(pkcs1[0], 0x30);
  EXPECT_EQ(key_hash(rsa.public_key()), crypto::sha256(pkcs1));
  testing::FakeSigner ec(crypto::Algorithm::ecdsa_p256);
  EXPECT_EQ(key_hash(ec.public_key()), crypto::sha256(ec.public_key().spki_der()));
}

// --- verification failures, each with its imgtool-style code ---

VerifyCode code_of(const Bytes& image, const TrustPolicy& p, std::optional<uint64_t> slot = std::nullopt) {
  return verify_image(image, p, slot).code;
}

struct Layout_ {
  size_t prot_at, info_at, end;
};
Layout_ areas(const Bytes& img) {
  const uint16_t hdr = uint16_t(img[8] | img[9] << 8), prot = uint16_t(img[10] | img[11] << 8);
  const size_t prot_at = hdr + load_le32(&img[12]);
  const size_t info_at = prot_at + prot;
  return {prot_at, info_at, info_at + uint16_t(img[info_at + 2] | img[info_at + 3] << 8)};
}

TEST(SlotImageReject, EveryStructureRule) {
  Signed s = make_signed({crypto::Algorithm::ecdsa_p256});
  const TrustPolicy p = s.policy();
  const Bytes good = s.image;
  const Layout_ a = areas(good);
  auto with = [&](auto change) {
    Bytes b = good;
    change(b);
    return b;
  };
  auto set16 = [](Bytes& b, size_t at, uint16_t v) { b[at] = uint8_t(v), b[at + 1] = uint8_t(v >> 8); };
  EXPECT_EQ(code_of(with([](Bytes& b) { b[0] ^= 1; }), p), VerifyCode::invalid_magic);
  EXPECT_EQ(code_of(Bytes(good.begin(), good.begin() + 20), p), VerifyCode::invalid_header);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, 8, 24); }), p), VerifyCode::invalid_header);   // hdr_size < 32
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, 8, 33); }), p), VerifyCode::invalid_header);   // not a multiple of 8
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, 8, 0xfff8); }), p), VerifyCode::invalid_header);  // beyond the bytes
  EXPECT_EQ(code_of(with([&](Bytes& b) { store_le32(&b[12], 0xffffffe0u); }), p), VerifyCode::invalid_header);  // u32 overflow
  EXPECT_EQ(code_of(with([&](Bytes& b) { store_le32(&b[16], 0x4); }), p), VerifyCode::invalid_header);  // encrypted flag
  EXPECT_EQ(code_of(with([&](Bytes& b) { store_le32(&b[28], 1); }), p), VerifyCode::invalid_header);
  EXPECT_EQ(code_of(good, p, good.size() - 1), VerifyCode::too_large);  // larger than the slot (L5)
  EXPECT_EQ(code_of(good, p, 100), VerifyCode::too_large);
  EXPECT_EQ(code_of(good, p, good.size()), VerifyCode::ok);
  // protected area
  EXPECT_EQ(code_of(with([&](Bytes& b) { b[a.prot_at] ^= 1; }), p), VerifyCode::invalid_tlv_info_magic);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.prot_at + 2, uint16_t(a.info_at - a.prot_at - 4)); }), p), VerifyCode::invalid_tlv);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, 10, 0); }), p), VerifyCode::invalid_tlv);  // protected area, header says none
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.prot_at + 6, 5); }), p), VerifyCode::invalid_tlv);  // SEC_CNT of 5 bytes
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.prot_at + 6, 0x400); }), p), VerifyCode::invalid_tlv);  // past the area
  // unprotected area
  EXPECT_EQ(code_of(with([&](Bytes& b) { b[a.info_at] ^= 1; }), p), VerifyCode::invalid_tlv_info_magic);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.info_at + 2, uint16_t(a.end - a.info_at + 1)); }), p), VerifyCode::invalid_tlv);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.info_at + 2, uint16_t(a.end - a.info_at - 1)); }), p), VerifyCode::invalid_tlv);
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.info_at + 4, 0x11); }), p), VerifyCode::invalid_tlv);  // unknown TLV
  EXPECT_EQ(code_of(with([&](Bytes& b) { set16(b, a.info_at + 4 + 36, kTlvSha256); }), p), VerifyCode::invalid_tlv);  // SHA256 twice
  EXPECT_EQ(code_of(Bytes(good.begin(), good.end() - 1), p), VerifyCode::invalid_tlv);  // truncated
}

TEST(SlotImageReject, TruncationAtEveryTlvBoundaryAndEveryByte) {
  Signed s = make_signed({crypto::Algorithm::ed25519}, Bytes(64, 3));
  for (size_t n = 0; n < s.image.size(); ++n)
    EXPECT_NE(code_of(Bytes(s.image.begin(), s.image.begin() + long(n)), s.policy()), VerifyCode::ok) << n;
}

TEST(SlotImageReject, FlippingAnyHeaderOrTlvByteIsRejected) {  // I7
  for (auto alg : {crypto::Algorithm::ed25519, crypto::Algorithm::ecdsa_p256}) {
    Signed s = make_signed({alg}, Bytes(200, 9));
    const TrustPolicy p = s.policy();
    const Layout_ a = areas(s.image);
    std::vector<size_t> positions;
    for (size_t i = 0; i < 32; ++i) positions.push_back(i);
    for (size_t i = a.prot_at; i < a.end; ++i) positions.push_back(i);
    for (size_t i = 32; i < a.prot_at; i += 17) positions.push_back(i);  // a sample of the payload
    for (size_t at : positions)
      for (uint8_t bit : {0x01, 0x80}) {
        Bytes b = s.image;
        b[at] ^= bit;
        EXPECT_NE(code_of(b, p), VerifyCode::ok) << "byte " << at << " bit " << int(bit);
      }
  }
}

TEST(SlotImageReject, SignaturesKeysHardwareCounterAndSlot) {
  Signed s = make_signed({crypto::Algorithm::ecdsa_p256, crypto::Algorithm::ed25519});
  TrustPolicy p = s.policy();
  EXPECT_EQ(code_of(s.image, p), VerifyCode::ok);
  // Threshold counts distinct keys: the same key trusted twice is still one.
  TrustPolicy one = p;
  one.keys = {p.keys[0], p.keys[0]};
  one.trusted = {p.trusted[0], p.trusted[0]};
  one.threshold = 2;
  EXPECT_EQ(code_of(s.image, one), VerifyCode::invalid_signature);
  // A signature by an untrusted key neither counts nor fails.
  testing::FakeSigner stranger(crypto::Algorithm::ecdsa_p256);
  TrustPolicy strangers;
  strangers.keys = {stranger.public_key()};
  strangers.trusted = {key_hash(stranger.public_key())};
  auto r = verify_image(s.image, strangers);
  EXPECT_EQ(r.code, VerifyCode::invalid_signature);
  EXPECT_EQ(r.trusted_signatures, 0u);
  // Unsigned image.
  auto region = build_signed_region(Bytes(10, 1), golden_spec());
  auto unsigned_image = assemble_image(*region, {});
  ASSERT_TRUE(unsigned_image);
  EXPECT_EQ(verify_image(*unsigned_image, p).message, "the image is not signed");
  // KEY_MISMATCH: the ECDSA signature TLV relabelled as Ed25519 under the ECDSA key hash.
  Bytes relabelled = s.image;
  const Layout_ a = areas(relabelled);
  const size_t sig_tlv = a.info_at + 4 + 36 + 36;
  relabelled[sig_tlv] = uint8_t(kTlvEd25519);
  EXPECT_EQ(code_of(relabelled, p), VerifyCode::key_mismatch);
  // A signature spliced in from another image.
  Signed other = make_signed({crypto::Algorithm::ed25519}, Bytes(3000, 0x5b));
  Bytes spliced = s.image;
  std::copy(other.image.end() - 64, other.image.end(), spliced.end() - 64);
  TrustPolicy ed = p;
  ed.keys = {p.keys[1]};
  ed.trusted = {p.trusted[1]};
  EXPECT_EQ(code_of(spliced, ed), VerifyCode::invalid_signature);
  // Listing without judging (info without --trust) reports the signers and passes; with
  // judging and no trusted key nothing can pass.
  TrustPolicy listing;
  listing.judge_signatures = false;
  auto listed = verify_image(s.image, listing);
  EXPECT_EQ(listed.code, VerifyCode::ok) << listed.message;
  EXPECT_EQ(listed.signatures.size(), 2u);
  EXPECT_EQ(code_of(s.image, TrustPolicy{}), VerifyCode::invalid_signature);
  // Hardware identity.
  TrustPolicy hw = p;
  hw.hardware_id = "tcu-mcu-revB";
  EXPECT_EQ(code_of(s.image, hw), VerifyCode::wrong_hardware);
  hw = p;
  hw.vendor = "example.org";
  EXPECT_EQ(code_of(s.image, hw), VerifyCode::wrong_hardware);
  // Anti-rollback: SEC_CNT 7.
  TrustPolicy floor = p;
  floor.min_security_counter = 8;
  EXPECT_EQ(code_of(s.image, floor), VerifyCode::rollback);
  floor.min_security_counter = 7;
  EXPECT_EQ(code_of(s.image, floor), VerifyCode::ok);
  // Built for 0x08020000: refused in a slot at another address.
  TrustPolicy slot = p;
  slot.slot_address = 0x08110000;
  EXPECT_EQ(code_of(s.image, slot), VerifyCode::wrong_slot);
  slot.slot_address = 0x08020000;
  EXPECT_EQ(code_of(s.image, slot), VerifyCode::ok);
}

}  // namespace
}  // namespace ota::image
