#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "json/canonical_json.h"

namespace ota::json {
namespace {

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  auto doc = nlohmann::json::parse(R"({ "b": [1, 2, {"z": null, "a": true}], "a": "x" })");
  EXPECT_EQ(*canonical(doc), R"({"a":"x","b":[1,2,{"a":true,"z":null}]})");
}

TEST(CanonicalJson, EscapesOnlyQuoteAndBackslash) {
  // OLPC canonical JSON (securesystemslib encode_canonical, tuf-js): control characters
  // and non-ASCII stay raw bytes, so a PEM's newlines are hashed as newlines.
  nlohmann::json doc = {{"k", "a\"b\\c\nd\xc3\xa9"}};
  EXPECT_EQ(*canonical(doc), "{\"k\":\"a\\\"b\\\\c\nd\xc3\xa9\"}");
}

TEST(CanonicalJson, OrdersKeysByBytes) {
  nlohmann::json doc = {{"\xc3\xa9", 1}, {"Z", 2}, {"a", 3}, {"_", 4}};
  EXPECT_EQ(*canonical(doc), "{\"Z\":2,\"_\":4,\"a\":3,\"\xc3\xa9\":1}");
}

TEST(CanonicalJson, WritesIntegersExactly) {
  nlohmann::json doc = {{"neg", -5}, {"big", uint64_t(18446744073709551615ull)}, {"zero", 0}};
  EXPECT_EQ(*canonical(doc), R"({"big":18446744073709551615,"neg":-5,"zero":0})");
}

TEST(CanonicalJson, RefusesFloats) {
  auto r = canonical(nlohmann::json{{"x", 1.5}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ota::json
