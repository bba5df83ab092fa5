#include <gtest/gtest.h>

#include <string>

#include "core/hex.h"
#include "crypto/keys.h"
#include "crypto/openssl_rsa.h"

namespace ota::crypto {
namespace {

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// RFC 8032 section 7.1, test 1: secret key, public key, signature of the empty message.
const char kRfc8032Seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char kRfc8032Public[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const char kRfc8032Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

// The seed as PKCS#8 PEM (RFC 8410 section 10.3 layout).
std::string rfc8032_pem() {
  Bytes der = *from_hex(std::string("302e020100300506032b657004220420") + kRfc8032Seed);
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string body;
  for (size_t i = 0; i < der.size(); i += 3) {
    uint32_t v = der[i] << 16 | (i + 1 < der.size() ? der[i + 1] << 8 : 0) | (i + 2 < der.size() ? der[i + 2] : 0);
    body += b64[v >> 18 & 63];
    body += b64[v >> 12 & 63];
    body += i + 1 < der.size() ? b64[v >> 6 & 63] : '=';
    body += i + 2 < der.size() ? b64[v & 63] : '=';
  }
  return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
}

TEST(Ed25519, SignsTheRfc8032Vector) {
  auto key = PrivateKey::from_pem(view(rfc8032_pem()), nullptr);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), Algorithm::ed25519);
  EXPECT_EQ(to_hex(key->public_key().ed25519_raw()), kRfc8032Public);
  auto sig = key->sign({});
  ASSERT_TRUE(sig);
  EXPECT_EQ(to_hex(*sig), kRfc8032Signature);
  auto pub = PublicKey::from_ed25519(*from_hex(kRfc8032Public));
  ASSERT_TRUE(pub);
  EXPECT_TRUE(pub->verify({}, *sig));
}

class EveryAlgorithm : public ::testing::TestWithParam<Algorithm> {};

TEST_P(EveryAlgorithm, SignVerifyRoundTripAndRejections) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), GetParam());
  const std::string msg = "firmware 2.4.0 for tcu-revA";
  auto sig = key->sign(view(msg));
  ASSERT_TRUE(sig);
  PublicKey pub = key->public_key();
  EXPECT_TRUE(pub.verify(view(msg), *sig));

  std::string other = msg;
  other[0] ^= 1;
  auto bad_data = pub.verify(view(other), *sig);
  ASSERT_FALSE(bad_data);
  EXPECT_EQ(bad_data.error().code, Errc::rejected);

  Bytes flipped = *sig;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(pub.verify(view(msg), flipped));
  EXPECT_FALSE(pub.verify(view(msg), Bytes(sig->begin(), sig->end() - 1)));
  EXPECT_FALSE(pub.verify(view(msg), {}));

  auto stranger = PrivateKey::generate(GetParam());
  ASSERT_TRUE(stranger);
  EXPECT_FALSE(stranger->public_key().verify(view(msg), *sig));
}

TEST_P(EveryAlgorithm, PemAndDerRoundTrip) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  Secret pem = key->pkcs8_pem();
  EXPECT_EQ(pem.reveal().rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  auto again = PrivateKey::from_pem(view(pem.reveal()), nullptr);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->public_key() == key->public_key());

  PublicKey pub = key->public_key();
  auto from_pem = PublicKey::from_pem(pub.pem());
  ASSERT_TRUE(from_pem);
  EXPECT_TRUE(*from_pem == pub);
  auto from_der = PublicKey::from_spki_der(pub.spki_der());
  ASSERT_TRUE(from_der);
  EXPECT_TRUE(*from_der == pub);
  EXPECT_EQ(from_der->algorithm(), GetParam());
}

// from_spki_der builds Ed25519 and P-256 keys from their raw bytes when the DER has the
// standard prefix; the key must be the same one, verify the same signatures, and give
// back the same DER, whichever path built it.
TEST_P(EveryAlgorithm, DerRoundTripVerifiesAndReencodesTheSameBytes) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  const Bytes der = key->public_key().spki_der();
  auto pub = PublicKey::from_spki_der(der);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->spki_der(), der);
  EXPECT_EQ(pub->pem(), key->public_key().pem());
  auto sig = key->sign(view("message"));
  ASSERT_TRUE(sig);
  EXPECT_TRUE(pub->verify(view("message"), *sig));
  EXPECT_FALSE(pub->verify(view("messagE"), *sig));
  Bytes longer = der;
  longer.push_back(0);  // a trailing byte: never a key, on either path
  EXPECT_FALSE(PublicKey::from_spki_der(longer));
}

TEST(PublicKeyDer, RejectsAP256PointOffTheCurveBehindTheStandardPrefix) {
  auto key = PrivateKey::generate(Algorithm::ecdsa_p256);
  ASSERT_TRUE(key);
  Bytes der = key->public_key().spki_der();
  ASSERT_EQ(der.size(), 91u);
  der.back() ^= 0x01;  // Y changes: the point leaves the curve
  auto pub = PublicKey::from_spki_der(der);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().code, Errc::corrupt);
}

TEST_P(EveryAlgorithm, SignaturesHaveTheDocumentedEncoding) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  auto sig = key->sign(view("x"));
  ASSERT_TRUE(sig);
  switch (GetParam()) {
    case Algorithm::ed25519: EXPECT_EQ(sig->size(), 64u); break;
    case Algorithm::ecdsa_p256:  // DER SEQUENCE of two INTEGERs, at most 72 bytes
      EXPECT_EQ((*sig)[0], 0x30);
      EXPECT_LE(sig->size(), 72u);
      break;
    case Algorithm::rsa_pss_3072: EXPECT_EQ(sig->size(), 384u); break;
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, EveryAlgorithm,
                         ::testing::Values(Algorithm::ed25519, Algorithm::ecdsa_p256,
                                           Algorithm::rsa_pss_3072),
                         [](const auto& param_info) {
                           std::string name(to_string(param_info.param));
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(EcdsaRawToDer, EncodesIntegersMinimallyWithSignPadding) {
  Bytes raw(64, 0);
  raw[31] = 0x01;  // r = 1
  raw[32] = 0x80;  // s = 0x80 << 248: high bit set, needs a 0x00 pad
  auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der);
  EXPECT_EQ(to_hex(*der), "3026020101022100" "80" + std::string(62, '0'));
}

TEST(EcdsaRawToDer, RejectsWrongLength) {
  auto der = ecdsa_raw_to_der(Bytes(63));
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code, Errc::corrupt);
}

TEST(PublicKey, RejectsPointsOffTheCurveAndBadSizes) {
  Bytes point(65, 0x11);
  point[0] = 0x04;
  EXPECT_FALSE(PublicKey::from_p256_point(point));
  EXPECT_FALSE(PublicKey::from_p256_point(Bytes(64, 0x04)));
  EXPECT_FALSE(PublicKey::from_ed25519(Bytes(31)));
}

TEST(PublicKey, P256PointRoundTripsThroughSpki) {
  auto key = PrivateKey::generate(Algorithm::ecdsa_p256);
  ASSERT_TRUE(key);
  Bytes der = key->public_key().spki_der();
  // SPKI for P-256 ends with the 65-byte uncompressed point.
  Bytes point(der.end() - 65, der.end());
  auto pub = PublicKey::from_p256_point(point);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_TRUE(*pub == key->public_key());
}

TEST(PrivateKey, RefusalNamesThePemTypeFound) {
  auto cert = PrivateKey::from_pem(view("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), nullptr);
  ASSERT_FALSE(cert);
  EXPECT_NE(cert.error().message.find("PEM 'CERTIFICATE' is not a private key"), std::string::npos)
      << cert.error().message;
  EXPECT_NE(cert.error().message.find("PKCS#8"), std::string::npos);
  auto none = PrivateKey::from_pem(view("garbage"), nullptr);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no PEM private key"), std::string::npos);
}

TEST(PrivateKey, EncryptedPemNeedsTheRightPassphrase) {
  auto key = PrivateKey::generate(Algorithm::ecdsa_p256);
  ASSERT_TRUE(key);
  // Encrypt with OpenSSL's own PEM writer through the public API is not exposed;
  // the encrypted-PEM path is covered end to end in tests/interop/filekey_interop.sh.
  std::string fake = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
  auto no_pass = PrivateKey::from_pem(view(fake), nullptr);
  ASSERT_FALSE(no_pass);
  EXPECT_NE(no_pass.error().message.find("OTA_KEY_PASSPHRASE"), std::string::npos);
  Secret wrong("nope");
  auto bad = PrivateKey::from_pem(view(fake), &wrong);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::rejected);
}

TEST(Algorithm, NamesRoundTrip) {
  for (auto a : {Algorithm::ed25519, Algorithm::ecdsa_p256, Algorithm::rsa_pss_3072})
    EXPECT_EQ(*parse_algorithm(to_string(a)), a);
  auto bad = parse_algorithm("rsa");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

// --- RSA keys from TUF metadata: verification only, 2048 to 4096 bits, either scheme ---

using testing::OpenSslRsa;
using testing::RsaPadding;

RsaPadding padding_of(RsaScheme scheme) {
  return scheme == RsaScheme::pkcs1v15_sha256 ? RsaPadding::pkcs1v15 : RsaPadding::pss;
}

TEST(TufRsaKey, VerifiesBothSchemesAtEverySizeFrom2048To4096) {
  const std::string message = "{\"_type\":\"root\"}";
  for (int bits : {2048, 3072, 4096}) {
    const OpenSslRsa& rsa = OpenSslRsa::of_bits(bits);
    for (RsaScheme scheme : {RsaScheme::pss_sha256, RsaScheme::pkcs1v15_sha256}) {
      SCOPED_TRACE(std::to_string(bits) + (scheme == RsaScheme::pss_sha256 ? " pss" : " pkcs1v15"));
      auto key = PublicKey::from_tuf_rsa_pem(rsa.public_pem(), scheme);
      ASSERT_TRUE(key) << key.error().message;
      EXPECT_EQ(key->rsa_scheme(), scheme);
      Bytes sig = rsa.sign(padding_of(scheme), view(message));
      EXPECT_EQ(sig.size(), size_t(bits / 8));
      EXPECT_TRUE(key->verify(view(message), sig));
    }
  }
}

TEST(TufRsaKey, WrongSignaturesOfEachSchemeAreRejected) {
  const OpenSslRsa& rsa = OpenSslRsa::of_bits(2048);
  const std::string message = "signed bytes", other = "signed bytez";
  for (RsaScheme scheme : {RsaScheme::pss_sha256, RsaScheme::pkcs1v15_sha256}) {
    auto key = PublicKey::from_tuf_rsa_pem(rsa.public_pem(), scheme);
    ASSERT_TRUE(key);
    Bytes sig = rsa.sign(padding_of(scheme), view(message));
    Bytes flipped = sig;
    flipped[flipped.size() / 2] ^= 0x01;
    for (const auto& [data, signature] : {std::pair{message, flipped}, std::pair{other, sig}}) {
      auto r = key->verify(view(data), signature);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, Errc::rejected);
    }
    EXPECT_FALSE(key->verify(view(message), Bytes{}));
    // The key object's scheme decides the padding: the other scheme's signature fails.
    RsaPadding wrong = padding_of(scheme) == RsaPadding::pss ? RsaPadding::pkcs1v15 : RsaPadding::pss;
    EXPECT_FALSE(key->verify(view(message), rsa.sign(wrong, view(message))));
  }
}

TEST(TufRsaKey, PssAcceptsTheDigestAndTheMaximumSaltLength) {
  // securesystemslib signs with salt = digest length now, with the maximum salt before.
  const OpenSslRsa& rsa = OpenSslRsa::of_bits(2048);
  auto key = PublicKey::from_tuf_rsa_pem(rsa.public_pem(), RsaScheme::pss_sha256);
  ASSERT_TRUE(key);
  const std::string message = "m";
  for (int salt : {RSA_PSS_SALTLEN_DIGEST, RSA_PSS_SALTLEN_MAX, 0})
    EXPECT_TRUE(key->verify(view(message), rsa.sign(RsaPadding::pss, view(message), salt))) << salt;
}

TEST(TufRsaKey, RefusesKeysBelow2048Bits) {
  const OpenSslRsa& rsa = OpenSslRsa::of_bits(1024);
  for (RsaScheme scheme : {RsaScheme::pss_sha256, RsaScheme::pkcs1v15_sha256}) {
    auto key = PublicKey::from_tuf_rsa_pem(rsa.public_pem(), scheme);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, Errc::unsupported);
    EXPECT_NE(key.error().message.find("1024 bits"), std::string::npos) << key.error().message;
  }
}

TEST(TufRsaKey, RefusesAPemThatIsNotRsa) {
  auto ec = PrivateKey::generate(Algorithm::ecdsa_p256);
  ASSERT_TRUE(ec);
  auto key = PublicKey::from_tuf_rsa_pem(ec->public_key().pem(), RsaScheme::pss_sha256);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::corrupt);
}

TEST(TufRsaKey, ReadsOurOwnRsaPssSignaturesAndEncodesLikeTheStrictReader) {
  auto ours = PrivateKey::generate(Algorithm::rsa_pss_3072);
  ASSERT_TRUE(ours);
  auto key = PublicKey::from_tuf_rsa_pem(ours->public_key().pem(), RsaScheme::pss_sha256);
  ASSERT_TRUE(key);
  const std::string message = "targets";
  EXPECT_TRUE(key->verify(view(message), *ours->sign(view(message))));
  EXPECT_EQ(key->spki_der(), ours->public_key().spki_der());
  EXPECT_TRUE(*key == ours->public_key());
  // The strict reader still refuses other sizes: image and signer code never see them.
  EXPECT_FALSE(PublicKey::from_pem(OpenSslRsa::of_bits(2048).public_pem()));
}

}  // namespace
}  // namespace ota::crypto
