#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/hex.h"
#include "crypto/openssl_rsa.h"
#include "crypto/tuf_key.h"
#include "fakes/fake_signer.h"
#include "json/canonical_json.h"
#include "metadata/envelope.h"
#include "metadata/metadata.h"

namespace ota::metadata {
namespace {

using nlohmann::json;

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// RFC 8032 7.1 test 1 public key, as a TUF key object.
const json kEdKey = {{"keytype", "ed25519"},
                     {"scheme", "ed25519"},
                     {"keyval", {{"public", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}}}};
const std::string kEdKeyId = std::string(64, 'a');

// A targets "signed" object with exactly the fields to_json writes, so that a parse
// followed by to_json must give it back unchanged.
json targets_with(const json& delegations) {
  json t = {{"_type", "targets"},
            {"spec_version", kSpecVersion},
            {"version", 3},
            {"expires", "2030-01-01T00:00:00Z"},
            {"targets", json::object()}};
  if (!delegations.is_null()) t["delegations"] = delegations;
  return t;
}

json succinct(uint32_t bit_length, const std::string& prefix = "bin") {
  return {{"keyids", {kEdKeyId}}, {"threshold", 1}, {"bit_length", bit_length}, {"name_prefix", prefix}};
}

json delegated(const std::string& name) {
  return {{"name", name}, {"keyids", {kEdKeyId}}, {"threshold", 1}, {"terminating", false}, {"paths", {"*"}}};
}

json delegations_with(const char* kind, const json& value) {
  return {{"keys", {{kEdKeyId, kEdKey}}}, {kind, value}};
}

void expect_refused(const json& signed_, const std::string& why) {
  auto t = targets_from_json(signed_);
  ASSERT_FALSE(t) << why;
  EXPECT_EQ(t.error().code, Errc::corrupt) << why;
  EXPECT_EQ(t.error().message.find('\n'), std::string::npos);
}

// --- succinct hash-bin delegations (TAP 15) ---

TEST(SuccinctRoles, ParseIntoDelegationsWithoutOrdinaryRoles) {
  auto t = targets_from_json(targets_with(delegations_with("succinct_roles", succinct(8))));
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_TRUE(t->delegations);
  EXPECT_TRUE(t->delegations->roles.empty());
  ASSERT_TRUE(t->delegations->succinct);
  const SuccinctRoles& s = *t->delegations->succinct;
  EXPECT_EQ(s.bit_length, 8u);
  EXPECT_EQ(s.name_prefix, "bin");
  EXPECT_EQ(s.keys.keyids, std::vector<std::string>{kEdKeyId});
  EXPECT_EQ(s.keys.threshold, 1u);
  ASSERT_EQ(t->delegations->keys.count(kEdKeyId), 1u);
  EXPECT_TRUE(t->delegations->keys.at(kEdKeyId).public_key);
}

TEST(SuccinctRoles, ParseThenToJsonGivesTheSameObject) {
  for (uint32_t bits : {1u, 8u, 32u}) {
    const json doc = targets_with(delegations_with("succinct_roles", succinct(bits, "hash-bin")));
    auto t = targets_from_json(doc);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(to_json(*t), doc);
    auto again = targets_from_json(to_json(*t));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->delegations->succinct->bit_length, bits);
  }
}

TEST(SuccinctRoles, UnknownFieldsInsideAreIgnored) {
  json sr = succinct(4);
  sr["x-custom"] = {{"a", 1}};
  json d = delegations_with("succinct_roles", sr);
  d["x-other"] = true;
  auto t = targets_from_json(targets_with(d));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->delegations->succinct->bit_length, 4u);
}

TEST(SuccinctRoles, RefusedBesideRolesOrWhenNeitherIsGiven) {
  json both = delegations_with("succinct_roles", succinct(8));
  both["roles"] = json::array({delegated("a")});
  expect_refused(targets_with(both), "roles and succinct_roles");
  expect_refused(targets_with({{"keys", json::object()}}), "neither");
  both["roles"] = json::array();  // even an empty list counts as given
  expect_refused(targets_with(both), "empty roles and succinct_roles");
}

TEST(SuccinctRoles, RefusesBitLengthOutside1To32AndMissingFields) {
  for (int bits : {0, 33, -1}) {
    json sr = succinct(1);
    sr["bit_length"] = bits;
    expect_refused(targets_with(delegations_with("succinct_roles", sr)), "bit_length " + std::to_string(bits));
  }
  for (const char* field : {"name_prefix", "bit_length", "keyids", "threshold"}) {
    json sr = succinct(8);
    sr.erase(field);
    expect_refused(targets_with(delegations_with("succinct_roles", sr)), std::string("no ") + field);
  }
  json number_prefix = succinct(8);
  number_prefix["name_prefix"] = 7;
  expect_refused(targets_with(delegations_with("succinct_roles", number_prefix)), "name_prefix not a string");
}

TEST(SuccinctRoles, KeepTheRoleRulesOnKeyIdsAndThreshold) {
  json twice = succinct(8);
  twice["keyids"] = {kEdKeyId, kEdKeyId};
  expect_refused(targets_with(delegations_with("succinct_roles", twice)), "duplicate key id");
  json zero = succinct(8);
  zero["threshold"] = 0;
  expect_refused(targets_with(delegations_with("succinct_roles", zero)), "threshold 0");
}

SuccinctRoles bins(uint32_t bit_length, std::string prefix = "bin") {
  SuccinctRoles s;
  s.bit_length = bit_length;
  s.name_prefix = std::move(prefix);
  return s;
}

// sha256("bar") = fcde2b2e..., sha256("foo") = 2c26b46b... (hashlib).
TEST(SuccinctRoles, BinForTakesTheFirstBitsOfTheSha256OfThePath) {
  EXPECT_EQ(bins(8).bin_for("bar"), "bin-fc");
  EXPECT_EQ(bins(8).bin_for("foo"), "bin-2c");
  EXPECT_EQ(bins(1).bin_for("bar"), "bin-1");
  EXPECT_EQ(bins(1).bin_for("foo"), "bin-0");
  EXPECT_EQ(bins(4).bin_for("bar"), "bin-f");
  EXPECT_EQ(bins(5).bin_for("bar"), "bin-1f");  // 0xfc >> 3, two digits for 0..31
  EXPECT_EQ(bins(12).bin_for("foo"), "bin-2c2");
  EXPECT_EQ(bins(32).bin_for("bar"), "bin-fcde2b2e");
  EXPECT_EQ(bins(32, "x").bin_for("foo"), "x-2c26b46b");
}

TEST(SuccinctRoles, IsBinAcceptsOnlyNamesOfTheRightWidthPrefixAndRange) {
  const SuccinctRoles b8 = bins(8);
  for (const char* yes : {"bin-00", "bin-fc", "bin-ff"}) EXPECT_TRUE(b8.is_bin(yes)) << yes;
  for (const char* no : {"bin-f", "bin-0fc", "bin-", "bin-FC", "bin-Fc", "bin-g0", "bun-fc", "bin_fc", "binfc",
                         "bin-fc ", "-fc", "bin--f"})
    EXPECT_FALSE(b8.is_bin(no)) << no;
  const SuccinctRoles b5 = bins(5);  // 32 bins: 00..1f
  EXPECT_TRUE(b5.is_bin("bin-1f"));
  EXPECT_FALSE(b5.is_bin("bin-20"));
  EXPECT_FALSE(b5.is_bin("bin-ff"));
  const SuccinctRoles b1 = bins(1);
  EXPECT_TRUE(b1.is_bin("bin-0"));
  EXPECT_TRUE(b1.is_bin("bin-1"));
  EXPECT_FALSE(b1.is_bin("bin-2"));
  EXPECT_FALSE(b1.is_bin("bin-01"));
  const SuccinctRoles b32 = bins(32);
  EXPECT_TRUE(b32.is_bin("bin-ffffffff"));
  EXPECT_TRUE(b32.is_bin("bin-00000000"));
  EXPECT_FALSE(b32.is_bin("bin-fffffff"));
  EXPECT_TRUE(b8.is_bin(b8.bin_for("any/path.bin")));
}

// --- delegated role names ---

TEST(DelegatedRoles, NamesOtherProducersUseParseUnchanged) {
  const std::vector<std::string> names = {"/delegatedrole", "../delegatedrole", "../x", "%", "%2F", "a?b",
                                          "a#b", "a/b/../c", ".", "..", std::string("a\0b", 3), "Root"};
  json roles = json::array();
  for (const auto& n : names) roles.push_back(delegated(n));
  const json doc = targets_with(delegations_with("roles", roles));
  auto t = targets_from_json(doc);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->delegations->roles.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(t->delegations->roles[i].name, names[i]);
  EXPECT_FALSE(t->delegations->succinct);
  EXPECT_EQ(to_json(*t), doc);
}

TEST(DelegatedRoles, ATopLevelRoleNameIsRefused) {
  for (const auto& top : kTopLevelRoles) {
    auto t = targets_from_json(targets_with(delegations_with("roles", json::array({delegated("a"), delegated(top)}))));
    ASSERT_FALSE(t) << top;
    EXPECT_EQ(t.error().code, Errc::corrupt);
    EXPECT_NE(t.error().message.find("\"" + top + "\""), std::string::npos) << t.error().message;
  }
}

TEST(DelegatedRoles, TheProducerChecksStillRefuseUnsafeNames) {
  for (const char* n : {"/delegatedrole", "../x", "%"}) EXPECT_FALSE(check_role_name(n)) << n;
  EXPECT_TRUE(check_role_name("fw-ecu-a"));
}

// --- envelopes ---

Bytes bytes_of(const json& doc) {
  std::string text = doc.dump();
  return Bytes(text.begin(), text.end());
}

TEST(Envelope, UnknownTopLevelFieldsAreIgnored) {
  json doc = {{"signed", targets_with(nullptr)}, {"signatures", json::array()}, {"x-note", {{"any", 1}}}};
  auto e = parse_envelope(bytes_of(doc), 1 << 20);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->signed_, targets_with(nullptr));
  for (const char* required : {"signed", "signatures"}) {
    json missing = doc;
    missing.erase(required);
    auto r = parse_envelope(bytes_of(missing), 1 << 20);
    ASSERT_FALSE(r) << required;
    EXPECT_EQ(r.error().code, Errc::corrupt);
  }
}

TEST(Envelope, EmptyOrNonHexSignaturesCountAsInvalidBesideAGoodOne) {
  testing::FakeSigner good, other;
  const std::string good_id = crypto::tuf_key_id(good.public_key()), other_id = crypto::tuf_key_id(other.public_key());
  auto signed_env = sign(targets_with(nullptr), {&good});
  ASSERT_TRUE(signed_env);
  json doc = json::parse(serialize(*signed_env));
  doc["signatures"].push_back({{"keyid", other_id}, {"sig", ""}});
  auto e = parse_envelope(bytes_of(doc), 1 << 20);
  ASSERT_TRUE(e) << e.error().message;
  std::map<std::string, Key> keys = {{good_id, key_from_public(good.public_key())},
                                     {other_id, key_from_public(other.public_key())}};
  auto count = count_signatures(*e, keys, RoleKeys{{good_id, other_id}, 2});
  ASSERT_TRUE(count);
  EXPECT_EQ(count->valid, 1u);
  EXPECT_FALSE(verify_threshold(*e, keys, RoleKeys{{good_id, other_id}, 2}, "targets"));
  EXPECT_TRUE(verify_threshold(*e, keys, RoleKeys{{good_id, other_id}, 1}, "targets"));
  doc["signatures"][1]["sig"] = "not hex";
  auto nonhex = parse_envelope(bytes_of(doc), 1 << 20);
  ASSERT_TRUE(nonhex);
  EXPECT_EQ(count_signatures(*nonhex, keys, RoleKeys{{good_id, other_id}, 2})->valid, 1u);
}

TEST(Envelope, TwoSignaturesWithOneKeyIdAreStillRefused) {
  json doc = {{"signed", targets_with(nullptr)},
              {"signatures", {{{"keyid", kEdKeyId}, {"sig", ""}}, {{"keyid", kEdKeyId}, {"sig", "00"}}}}};
  auto e = parse_envelope(bytes_of(doc), 1 << 20);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::rejected);
}

// --- root ---

json root_signed() {
  json roles = json::object();
  for (const auto& r : kTopLevelRoles) roles[r] = {{"keyids", {kEdKeyId}}, {"threshold", 1}};
  return {{"_type", "root"},  {"spec_version", kSpecVersion}, {"version", 1}, {"expires", "2030-01-01T00:00:00Z"},
          {"keys", {{kEdKeyId, kEdKey}}}, {"roles", roles}};
}

TEST(Root, ConsistentSnapshotIsOptionalAndFalseWhenMissing) {
  auto missing = root_from_json(root_signed());
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->consistent_snapshot);
  for (bool value : {true, false}) {
    json s = root_signed();
    s["consistent_snapshot"] = value;
    auto r = root_from_json(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->consistent_snapshot, value);
    EXPECT_EQ(to_json(*r), s);  // the writer always writes the field
  }
  json wrong = root_signed();
  wrong["consistent_snapshot"] = "yes";
  auto r = root_from_json(wrong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
}

// --- key objects ---

TEST(KeyObject, AFieldNamedKeyIsReadAsAnExtraFieldOfAnOrdinaryKey) {
  testing::FakeSigner other(crypto::Algorithm::ecdsa_p256);
  json object = kEdKey;
  object["key"] = crypto::tuf_key_object(other.public_key());
  object["keyid"] = crypto::tuf_key_id(other.public_key());
  object["keyid_hash_algorithms"] = {"sha256", "sha512"};
  object["x-tuf-on-ci-keyowner"] = "@maintainer";
  auto k = key_from_json(object);
  ASSERT_TRUE(k) << k.error().message;
  ASSERT_TRUE(k->public_key);
  EXPECT_EQ(k->public_key->algorithm(), crypto::Algorithm::ed25519);
  EXPECT_EQ(to_hex(k->public_key->ed25519_raw()), kEdKey["keyval"]["public"].get<std::string>());
  EXPECT_EQ(k->object, object);  // kept as written: extra fields are signed data
}

TEST(KeyObject, AnUnusableKeyParsesButCannotVerify) {
  json rsa1024 = {{"keytype", "rsa"},
                  {"scheme", "rsa-pkcs1v15-sha256"},
                  {"keyval", {{"public", testing::OpenSslRsa::of_bits(1024).public_pem()}}}};
  auto k = key_from_json(rsa1024);
  ASSERT_TRUE(k);
  EXPECT_FALSE(k->public_key);
}

// The whole path a tuf-conformance `rsa-pkcs1v15-sha256` root takes: key object in the
// root, signature by another producer (OpenSSL here), threshold met.
TEST(KeyObject, RootSignedWithRsaPkcs1v15Of2048BitsVerifies) {
  const auto& rsa = testing::OpenSslRsa::of_bits(2048);
  json signed_ = root_signed();
  const std::string id(64, 'b');
  signed_["keys"][id] = {{"keytype", "rsa"}, {"scheme", "rsa-pkcs1v15-sha256"}, {"keyval", {{"public", rsa.public_pem()}}}};
  signed_["roles"]["root"]["keyids"] = {id};
  auto root = root_from_json(signed_);
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_TRUE(root->keys.at(id).public_key);
  const std::string canonical = *ota::json::canonical(signed_);
  Envelope e{signed_, {{id, to_hex(rsa.sign(testing::RsaPadding::pkcs1v15, view(canonical)))}}};
  EXPECT_TRUE(verify_threshold(e, root->keys, root->roles.at("root"), "root"));
  Envelope pss{signed_, {{id, to_hex(rsa.sign(testing::RsaPadding::pss, view(canonical)))}}};
  EXPECT_FALSE(verify_threshold(pss, root->keys, root->roles.at("root"), "root"));
}

}  // namespace
}  // namespace ota::metadata
