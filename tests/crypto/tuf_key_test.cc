#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "crypto/openssl_rsa.h"
#include "crypto/tuf_key.h"

namespace ota::crypto {
namespace {

// Expected key ids computed independently with Python's hashlib over the OLPC
// canonical form (see tests/data/PROVENANCE.md, "TUF key ids").
TEST(TufKey, Ed25519KeyIdMatchesIndependentComputation) {
  auto key = PublicKey::from_ed25519(*from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(key);
  EXPECT_EQ(tuf_key_json(*key),
            R"({"keytype":"ed25519","keyval":{"public":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"},"scheme":"ed25519"})");
  EXPECT_EQ(tuf_key_id(*key), "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916");
}

const char kP256Pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEb8ftnWJSJW5LOlvO5ww6sX6TpkZI\n"
    "XzccOnvrIRCDB710aRMxa3+6aD25SbpW/wKx4tr0aIFGErg2mPPh4Juc+w==\n"
    "-----END PUBLIC KEY-----\n";

TEST(TufKey, EcdsaKeyIdHashesThePemWithRawNewlines) {
  auto key = PublicKey::from_pem(kP256Pem);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(tuf_key_json(*key), std::string(R"({"keytype":"ecdsa","keyval":{"public":")") + kP256Pem +
                                    R"("},"scheme":"ecdsa-sha2-nistp256"})");
  EXPECT_EQ(tuf_key_id(*key), "fc0c648739aa6fa364213e85d96997de7d6350a63a7cf974d0c11a849f2cbe22");
}

TEST(TufKey, ReadsWhatItWritesForEveryAlgorithm) {
  for (auto alg : {Algorithm::ed25519, Algorithm::ecdsa_p256, Algorithm::rsa_pss_3072}) {
    auto priv = PrivateKey::generate(alg);
    ASSERT_TRUE(priv);
    PublicKey pub = priv->public_key();
    auto back = public_key_from_tuf_json(tuf_key_object(pub).dump());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(*back == pub);
    EXPECT_EQ(tuf_key_object(pub)["scheme"], std::string(tuf_scheme(alg)));
  }
}

TEST(TufKey, AcceptsTheOlderEcdsaKeytype) {
  nlohmann::json doc = {{"keytype", "ecdsa-sha2-nistp256"}, {"scheme", "ecdsa-sha2-nistp256"},
                        {"keyval", {{"public", kP256Pem}}}};
  EXPECT_TRUE(public_key_from_tuf_json(doc.dump()));
}

TEST(TufKey, WrapperWithWrongKeyIdIsRejected) {
  auto key = PublicKey::from_pem(kP256Pem);
  ASSERT_TRUE(key);
  nlohmann::json good = {{"keyid", tuf_key_id(*key)}, {"key", tuf_key_object(*key)}};
  EXPECT_TRUE(public_key_from_tuf_json(good.dump()));
  nlohmann::json bad = good;
  bad["keyid"] = std::string(64, 'a');
  auto r = public_key_from_tuf_json(bad.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
}

TEST(TufKey, RejectsMismatchedOrUnknownSchemes) {
  // An RSA PEM labelled as ecdsa.
  auto rsa = PrivateKey::generate(Algorithm::rsa_pss_3072);
  ASSERT_TRUE(rsa);
  nlohmann::json lie = {{"keytype", "ecdsa"}, {"scheme", "ecdsa-sha2-nistp256"},
                        {"keyval", {{"public", rsa->public_key().pem()}}}};
  EXPECT_FALSE(public_key_from_tuf_json(lie.dump()));
  nlohmann::json pkcs1 = {{"keytype", "rsa"}, {"scheme", "rsa-pkcs1v15-sha256"},
                          {"keyval", {{"public", rsa->public_key().pem()}}}};
  auto r = public_key_from_tuf_json(pkcs1.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_FALSE(public_key_from_tuf_json("[]"));
  EXPECT_FALSE(public_key_from_tuf_json(R"({"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"zz"}})"));
}

// --- public_key_from_tuf_object: key objects from metadata ---

nlohmann::json rsa_object(const std::string& scheme, int bits) {
  return {{"keytype", "rsa"}, {"scheme", scheme}, {"keyval", {{"public", testing::OpenSslRsa::of_bits(bits).public_pem()}}}};
}

TEST(TufKeyObject, ReadsRsaPkcs1v15AndPssFrom2048To4096Bits) {
  for (int bits : {2048, 4096})
    for (const char* scheme : {"rsassa-pss-sha256", "rsa-pkcs1v15-sha256"}) {
      auto key = public_key_from_tuf_object(rsa_object(scheme, bits));
      ASSERT_TRUE(key) << bits << " " << scheme << ": " << key.error().message;
      EXPECT_EQ(key->rsa_scheme(), std::string(scheme) == "rsa-pkcs1v15-sha256" ? RsaScheme::pkcs1v15_sha256
                                                                                 : RsaScheme::pss_sha256);
      // Written back with the scheme it was read with (the key id depends on it).
      EXPECT_EQ(tuf_key_object(*key), rsa_object(scheme, bits));
    }
  auto small = public_key_from_tuf_object(rsa_object("rsa-pkcs1v15-sha256", 1024));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code, Errc::unsupported);
  // The strict reader (keys given to our tools) keeps refusing both.
  EXPECT_FALSE(public_key_from_tuf_json(rsa_object("rsa-pkcs1v15-sha256", 2048).dump()));
  EXPECT_FALSE(public_key_from_tuf_json(rsa_object("rsassa-pss-sha256", 2048).dump()));
}

TEST(TufKeyObject, AFieldNamedKeyIsAnUnknownFieldNotTheOtaKeysWrapper) {
  auto outer = PublicKey::from_ed25519(*from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  auto inner = PublicKey::from_pem(kP256Pem);
  ASSERT_TRUE(outer && inner);
  nlohmann::json object = tuf_key_object(*outer);
  object["key"] = tuf_key_object(*inner);
  object["keyid_hash_algorithms"] = {"sha256", "sha512"};
  object["x-tuf-on-ci-keyowner"] = "@someone";
  auto read = public_key_from_tuf_object(object);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_TRUE(*read == *outer);
  // public_key_from_tuf_json, for `ota-keys public` files, does take the wrapper.
  auto wrapped = public_key_from_tuf_json(object.dump());
  ASSERT_TRUE(wrapped);
  EXPECT_TRUE(*wrapped == *inner);
}

TEST(TufKeyObject, RefusesUnknownSchemesAndNonObjects) {
  nlohmann::json ed = {{"keytype", "ed25519"}, {"scheme", "ed25519-ph"}, {"keyval", {{"public", std::string(64, 'a')}}}};
  auto r = public_key_from_tuf_object(ed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  auto arr = public_key_from_tuf_object(nlohmann::json::array());
  ASSERT_FALSE(arr);
  EXPECT_EQ(arr.error().code, Errc::corrupt);
}

}  // namespace
}  // namespace ota::crypto
