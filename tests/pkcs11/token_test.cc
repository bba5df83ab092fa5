// PKCS#11 behaviour against a real SoftHSM2 token, and the failures SoftHSM2 cannot
// produce (PIN lock-out, device errors) against tests/fakes/fake_pkcs11.
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>
#include <stdlib.h>

#include <string>

#include "crypto/keys.h"
#include "pkcs11/softhsm_fixture.h"
#include "pkcs11/token.h"
#include "signer/signer.h"
#include "io/posix_storage.h"

namespace ota::pkcs11 {
namespace {

using crypto::Algorithm;

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class SoftHsm : public testing::SoftHsmToken {
 protected:
  std::unique_ptr<Token> open_logged_in(const std::string& object = "") {
    auto uri = parse_uri(uri_for(object));
    EXPECT_TRUE(uri);
    auto token = Token::open(*uri, {});
    EXPECT_TRUE(token) << token.error().message;
    if (!token) return nullptr;
    auto in = (*token)->login(*uri, nullptr);
    EXPECT_TRUE(in) << in.error().message;
    return std::move(*token);
  }
  static std::string uri_for(const std::string& object) {
    return object.empty() ? std::string("pkcs11:token=") + kLabel + "?pin-source=file:" + pin_file()
                          : uri(object);
  }
};

class EveryAlgorithm : public SoftHsm, public ::testing::WithParamInterface<Algorithm> {};

TEST_P(EveryAlgorithm, GeneratedKeyIsSigningOnlySensitiveAndNeverExtractable) {
  const std::string label = "gen-" + std::string(crypto::to_string(GetParam()));
  auto token = open_logged_in();
  ASSERT_TRUE(token);
  auto key = token->generate({GetParam(), label});
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(key->is_private);
  EXPECT_EQ(key->label, label);
  EXPECT_EQ(key->id.size(), 16u);
  EXPECT_EQ(*key->algorithm, GetParam());
  EXPECT_EQ(key->sign, true);
  EXPECT_EQ(key->decrypt, false);
  EXPECT_EQ(key->unwrap, false);
  EXPECT_EQ(key->derive, false);
  EXPECT_EQ(key->sensitive, true);
  EXPECT_EQ(key->extractable, false);
  EXPECT_EQ(key->always_sensitive, true);
  EXPECT_EQ(key->never_extractable, true);
  EXPECT_EQ(key->local, true);
  ASSERT_TRUE(key->public_key);

  // The private value cannot be read out of the token.
  auto value = token->read_attribute(*key, CKA_VALUE);
  auto exponent = token->read_attribute(*key, CKA_PRIVATE_EXPONENT);
  if (GetParam() == Algorithm::rsa_pss_3072) {
    ASSERT_FALSE(exponent);
    EXPECT_NE(exponent.error().message.find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos)
        << exponent.error().message;
  } else {
    ASSERT_FALSE(value);
    EXPECT_NE(value.error().message.find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos)
        << value.error().message;
  }

  // The public half may verify only.
  auto pub = token->find_public_key(*parse_uri(uri_for(label)));
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->verify, true);
  EXPECT_EQ(pub->encrypt, false);
  EXPECT_EQ(pub->wrap, false);
  EXPECT_TRUE(*pub->public_key == *key->public_key);

  const std::string msg = "targets.json bytes";
  auto sig = token->sign(*key, view(msg));
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(key->public_key->verify(view(msg), *sig));
  if (GetParam() == Algorithm::ecdsa_p256) {
    EXPECT_EQ((*sig)[0], 0x30) << "ECDSA must come out as DER";
  }
}

TEST_P(EveryAlgorithm, SignerFindsTheKeyByLabelInANewSession) {
  const std::string label = "signer-" + std::string(crypto::to_string(GetParam()));
  {
    auto token = open_logged_in();
    ASSERT_TRUE(token);
    ASSERT_TRUE(token->generate({GetParam(), label}));
  }
  io::PosixStorage fs;
  auto signer = signer::open_signer(fs, uri(label), {});
  ASSERT_TRUE(signer) << signer.error().message;
  EXPECT_EQ((*signer)->algorithm(), GetParam());
  auto sig = (*signer)->sign(view("payload"));
  ASSERT_TRUE(sig) << sig.error().message;
  auto pub = signer::open_public_key(fs, std::string("pkcs11:token=") + kLabel + ";object=" + label, {});
  ASSERT_TRUE(pub) << pub.error().message;  // no PIN needed for the public half
  EXPECT_TRUE(pub->verify(view("payload"), *sig));
  EXPECT_EQ((*signer)->key_id().size(), 64u);
}

INSTANTIATE_TEST_SUITE_P(Keys, EveryAlgorithm,
                         ::testing::Values(Algorithm::ed25519, Algorithm::ecdsa_p256, Algorithm::rsa_pss_3072),
                         [](const auto& param_info) {
                           std::string name(crypto::to_string(param_info.param));
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST_F(SoftHsm, WrongPinIsRefusedWithItsCode) {
  auto uri = parse_uri(std::string("pkcs11:token=") + kLabel + "?pin-value=000000");
  auto token = Token::open(*uri, {});
  ASSERT_TRUE(token);
  auto in = (*token)->login(*uri, nullptr);
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().code, Errc::hsm);
  // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN (it never locks, though).
  EXPECT_EQ(in.error().message,
            "wrong PIN for token 'ota-example' (CKR_PIN_INCORRECT): few tries remain before the token locks");
}

TEST_F(SoftHsm, PinProviderIsAskedOnlyWhenTheUriHasNoPin) {
  auto uri = parse_uri(std::string("pkcs11:token=") + kLabel);
  auto token = Token::open(*uri, {});
  ASSERT_TRUE(token);
  int asked = 0;
  auto in = (*token)->login(*uri, [&](const TokenInfo& t) -> Result<Secret> {
    ++asked;
    EXPECT_EQ(t.label, kLabel);
    return Secret(kPin);
  });
  EXPECT_TRUE(in);
  EXPECT_EQ(asked, 1);
}

TEST_F(SoftHsm, MissingTokenNamesTheTokensPresent) {
  auto uri = parse_uri("pkcs11:token=no-such-token;object=k");
  auto token = Token::open(*uri, {});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, Errc::hsm);
  EXPECT_EQ(token.error().message.rfind("no token matches 'pkcs11:token=no-such-token;object=k'; tokens present: ", 0), 0u)
      << token.error().message;
  EXPECT_NE(token.error().message.find("'ota-example'"), std::string::npos);
}

TEST_F(SoftHsm, MissingKeyIsNamed) {
  auto token = open_logged_in();
  ASSERT_TRUE(token);
  auto key = token->find_signing_key(*parse_uri(uri_for("absent")));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message, "no private key 'object=absent' on token 'ota-example'");
}

TEST_F(SoftHsm, PrivateKeysAreInvisibleBeforeLogin) {
  {
    auto token = open_logged_in();
    ASSERT_TRUE(token);
    ASSERT_TRUE(token->generate({Algorithm::ecdsa_p256, "hidden"}));
  }
  auto uri = parse_uri(std::string("pkcs11:token=") + kLabel + ";object=hidden");
  auto token = Token::open(*uri, {});
  ASSERT_TRUE(token);
  auto key = (*token)->find_signing_key(*uri);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("(not logged in)"), std::string::npos);
}

TEST_F(SoftHsm, GenerateRefusesAnExistingLabel) {
  auto token = open_logged_in();
  ASSERT_TRUE(token);
  ASSERT_TRUE(token->generate({Algorithm::ed25519, "twice"}));
  auto again = token->generate({Algorithm::ed25519, "twice"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message,
            "token 'ota-example' already holds an object labelled 'twice': choose another label");
  auto keys = token->list_keys();
  ASSERT_TRUE(keys);
  int count = 0;
  for (const auto& k : *keys) count += k.label == "twice";
  EXPECT_EQ(count, 2);  // one private, one public
}

TEST_F(SoftHsm, WrongAlgorithmRequestIsRefused) {
  {
    auto token = open_logged_in();
    ASSERT_TRUE(token);
    ASSERT_TRUE(token->generate({Algorithm::ecdsa_p256, "an-ec-key"}));
  }
  io::PosixStorage fs;
  signer::OpenOptions options;
  options.expect = Algorithm::ed25519;
  auto s = signer::open_signer(fs, uri("an-ec-key"), options);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::invalid_argument);
  EXPECT_NE(s.error().message.find("is ecdsa-p256, not the requested ed25519"), std::string::npos);
}

TEST_F(SoftHsm, ModuleThatIsNotPkcs11FailsToLoad) {
  auto uri = parse_uri(std::string("pkcs11:token=") + kLabel);
  auto missing = Token::open(*uri, {"/nonexistent/libnothing.so", nullptr});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "PKCS#11 module '/nonexistent/libnothing.so' does not exist");
  auto not_p11 = Token::open(*uri, {"/usr/lib/x86_64-linux-gnu/libz.so.1", nullptr});
  ASSERT_FALSE(not_p11);
  EXPECT_EQ(not_p11.error().code, Errc::hsm);
  EXPECT_EQ(not_p11.error().message.rfind("cannot load PKCS#11 module '/usr/lib/x86_64-linux-gnu/libz.so.1': ", 0), 0u)
      << not_p11.error().message;
}

// --- the fake module: what SoftHSM2 never does ---

class FakeModule : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("FAKE_PKCS11_MODE"); }
  Result<std::unique_ptr<Token>> open(const char* mode, const std::string& uri_text = "pkcs11:token=fake-token") {
    setenv("FAKE_PKCS11_MODE", mode, 1);
    uri_ = std::move(*parse_uri(uri_text));
    return Token::open(uri_, {OTA_FAKE_PKCS11, nullptr});
  }
  Uri uri_;
};

TEST_F(FakeModule, LockedPinIsReportedWithoutTryingALogin) {
  auto token = open("locked", "pkcs11:token=fake-token?pin-value=1234");
  ASSERT_TRUE(token) << token.error().message;
  auto in = (*token)->login(uri_, nullptr);
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().code, Errc::hsm);
  EXPECT_EQ(in.error().message,
            "the user PIN of token 'fake-token' is locked (CKF_USER_PIN_LOCKED): unlock it with the "
            "security officer PIN; no login was tried");
}

TEST_F(FakeModule, WrongPinOnTheFinalTrySaysTheTokenIsNowLocked) {
  auto token = open("final-try", "pkcs11:token=fake-token?pin-value=9999");
  ASSERT_TRUE(token) << token.error().message;
  auto in = (*token)->login(uri_, nullptr);
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().message,
            "wrong PIN for token 'fake-token' (CKR_PIN_INCORRECT): the token is now locked; unlock it "
            "with the security officer PIN");
  // The right PIN no longer helps.
  Uri right = std::move(*parse_uri("pkcs11:token=fake-token?pin-value=1234"));
  auto again = (*token)->login(right, nullptr);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("locked"), std::string::npos) << again.error().message;
}

TEST_F(FakeModule, ModuleInitialisationFailureIsNamed) {
  auto token = open("init-fails");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, Errc::hsm);
  EXPECT_EQ(token.error().message,
            std::string("PKCS#11 module '") + OTA_FAKE_PKCS11 + "' failed to initialise: CKR_GENERAL_ERROR");
}

TEST_F(FakeModule, AbsentTokenIsNamed) {
  auto token = open("no-token");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().message, "no token matches 'pkcs11:token=fake-token'; the module shows no token");
}

TEST_F(FakeModule, DeviceErrorWhileSigningYieldsNoSignature) {
  setenv("FAKE_PKCS11_MODE", "sign-fails", 1);
  io::PosixStorage fs;
  signer::OpenOptions options;
  options.module_path = OTA_FAKE_PKCS11;
  auto s = signer::open_signer(fs, "pkcs11:token=fake-token;object=k?pin-value=1234", options);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->algorithm(), Algorithm::ecdsa_p256);
  auto sig = (*s)->sign(view("x"));
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::hsm);
  EXPECT_EQ(sig.error().message, "signing with key 'k' on token 'fake-token': CKR_DEVICE_ERROR");
}

}  // namespace
}  // namespace ota::pkcs11
