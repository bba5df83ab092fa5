#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/audit_log.h"
#include "fakes/fake_signer.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "signer/audited_signer.h"
#include "signer/key_ref.h"
#include "signer/signer.h"

namespace ota::signer {
namespace {

namespace fs = std::filesystem;
ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ota-signer-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
  io::PosixStorage storage_;
};

TEST(KeyRef, AcceptsPkcs11AndFileForms) {
  EXPECT_EQ(parse_key_ref("pkcs11:token=a;object=b")->kind, KeyRef::Kind::pkcs11);
  auto f = parse_key_ref("file:keys/dev.pem");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, KeyRef::Kind::file);
  EXPECT_EQ(f->file_path, "keys/dev.pem");
}

TEST(KeyRef, RejectsBarePathsAndHidesPins) {
  auto bare = parse_key_ref("dev.pem");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "key reference 'dev.pem': use pkcs11:token=...;object=... (RFC 7512) or file:PATH");
  auto typo = parse_key_ref("pkcs:token=a?pin-value=1234");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message.find("1234"), std::string::npos);
  EXPECT_FALSE(parse_key_ref("file:"));
}

TEST_F(SignerTest, GeneratedFileKeyIsPrivateAndNeverOverwritten) {
  for (auto alg : {crypto::Algorithm::ed25519, crypto::Algorithm::ecdsa_p256, crypto::Algorithm::rsa_pss_3072}) {
    const std::string p = path(std::string(crypto::to_string(alg)) + ".pem");
    auto pub = generate_key(storage_, "file:" + p, {alg, {}}, {});
    ASSERT_TRUE(pub) << pub.error().message;
    struct stat st;
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const std::string before = read(p);
    auto again = generate_key(storage_, "file:" + p, {alg, {}}, {});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, "'" + p + "' already exists: ota-keys never overwrites a key file");
    EXPECT_EQ(read(p), before);

    auto signer = open_signer(storage_, "file:" + p, {});
    ASSERT_TRUE(signer) << signer.error().message;
    EXPECT_TRUE((*signer)->public_key() == *pub);
    EXPECT_EQ((*signer)->reference(), "file:" + p);
    auto sig = (*signer)->sign(view("image"));
    ASSERT_TRUE(sig);
    EXPECT_TRUE(pub->verify(view("image"), *sig));
  }
}

TEST_F(SignerTest, PublicKeyOpensFromEveryFileForm) {
  const std::string key = path("k.pem");
  auto pub = generate_key(storage_, "file:" + key, {crypto::Algorithm::ecdsa_p256, {}}, {});
  ASSERT_TRUE(pub);
  std::ofstream(path("pub.pem")) << pub->pem();
  std::ofstream(path("pub.json")) << crypto::tuf_key_object(*pub).dump(2);
  Bytes der = pub->spki_der();
  std::ofstream(path("pub.der"), std::ios::binary).write(reinterpret_cast<const char*>(der.data()), long(der.size()));
  for (const std::string& ref : {"file:" + key, path("pub.pem"), path("pub.json"), path("pub.der")}) {
    auto opened = open_public_key(storage_, ref, {});
    ASSERT_TRUE(opened) << ref << ": " << opened.error().message;
    EXPECT_TRUE(*opened == *pub) << ref;
  }
  auto missing = open_public_key(storage_, path("absent.pem"), {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(SignerTest, ExpectedAlgorithmMismatchIsRefused) {
  const std::string key = path("ed.pem");
  ASSERT_TRUE(generate_key(storage_, "file:" + key, {crypto::Algorithm::ed25519, {}}, {}));
  OpenOptions options;
  options.expect = crypto::Algorithm::rsa_pss_3072;
  auto s = open_signer(storage_, "file:" + key, options);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "key 'file:" + key + "' is ed25519, not the requested rsa-pss-3072");
}

TEST(Signer, ASignatureThatDoesNotVerifyNeverLeaves) {
  // A backend that returns a wrong signature, as a faulty token might.
  for (auto alg : {crypto::Algorithm::ed25519, crypto::Algorithm::ecdsa_p256}) {
    testing::FakeSigner liar(alg);
    liar.corrupt_signature = true;
    auto sig = liar.sign(view("x"));
    ASSERT_FALSE(sig);
    EXPECT_EQ(sig.error().code, Errc::hsm);
    EXPECT_EQ(sig.error().message, "the signature made with '" + liar.reference() +
                                       "' does not verify with its own public key; nothing was written");
  }
}

TEST_F(SignerTest, AFailedSignatureLeavesNoAuditRecord) {
  testing::FakeSigner token;
  token.fail_with = testing::FakeSigner::wrong_pin();
  const std::string log = path("audit.log");
  AuditedSigner audited(token, {log, "root", "ota-sign", "sign"});
  auto sig = audited.sign(view("x"));
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().message, "wrong PIN for token 'fake' (CKR_PIN_INCORRECT)");
  EXPECT_FALSE(fs::exists(log));
  token.fail_with.reset();
  ASSERT_TRUE(audited.sign(view("x")));
  EXPECT_EQ(audit::verify(log, std::nullopt)->records, 1u);
}

TEST_F(SignerTest, AuditedSignerRecordsEverySignature) {
  const std::string key = path("k.pem"), log = path("audit.log");
  ASSERT_TRUE(generate_key(storage_, "file:" + key, {crypto::Algorithm::ecdsa_p256, {}}, {}));
  auto inner = open_signer(storage_, "file:" + key, {});
  ASSERT_TRUE(inner);
  AuditedSigner audited(**inner, {log, "targets", "ota-sign", "sign"});
  for (const char* msg : {"a", "b", "c"}) ASSERT_TRUE(audited.sign(view(msg)));
  auto report = audit::verify(log, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 3u);
  const std::string text = read(log);
  EXPECT_NE(text.find("\"key_id\":\"" + (*inner)->key_id() + "\""), std::string::npos);
  EXPECT_NE(text.find("\"role\":\"targets\""), std::string::npos);
  EXPECT_NE(text.find(to_hex(crypto::sha256(view("c")))), std::string::npos);
}

TEST_F(SignerTest, NoSignatureWithoutItsAuditRecord) {
  const std::string key = path("k.pem");
  ASSERT_TRUE(generate_key(storage_, "file:" + key, {crypto::Algorithm::ed25519, {}}, {}));
  auto inner = open_signer(storage_, "file:" + key, {});
  ASSERT_TRUE(inner);
  AuditedSigner audited(**inner, {path("no-such-dir/audit.log"), "", "ota-sign", "sign"});
  auto sig = audited.sign(view("x"));
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::not_found);
}

}  // namespace
}  // namespace ota::signer
