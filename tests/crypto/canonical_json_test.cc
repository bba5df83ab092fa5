#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

TEST(CanonicalJson, WritesIntegersExactlyUpToTwoToThe53) {
  nlohmann::json doc = {{"neg", -9007199254740991}, {"big", 9007199254740991}, {"zero", 0}};
  EXPECT_EQ(*canonical(doc), R"({"big":9007199254740991,"neg":-9007199254740991,"zero":0})");
  EXPECT_FALSE(canonical(nlohmann::json{{"x", 9007199254740992}}));
  EXPECT_FALSE(canonical(nlohmann::json{{"x", -9007199254740992}}));
  EXPECT_FALSE(canonical(nlohmann::json{{"x", uint64_t(18446744073709551615ull)}}));
}

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Golden vectors written by @tufjs/canonical-json 2.0.0 (tests/data/PROVENANCE.md).
TEST(CanonicalJson, MatchesTufJsOnEveryGoldenVector) {
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(OTA_TEST_DATA) / "canonical-json")) {
    if (entry.path().extension() != ".json") continue;
    auto doc = nlohmann::json::parse(read(entry.path()));
    auto ours = canonical(doc);
    ASSERT_TRUE(ours) << entry.path() << ": " << ours.error().message;
    fs::path expected = entry.path();
    expected.replace_extension(".canonical");
    EXPECT_EQ(*ours, read(expected)) << entry.path();
    ++compared;
  }
  EXPECT_GE(compared, 15);
}

// Inputs whose numbers tuf-js would round or print as floats, and a lone surrogate:
// refused (by the parser or by canonical()), never signed.
TEST(CanonicalJson, RefusesWhatJavaScriptClientsWouldReadDifferently) {
  int checked = 0;
  for (const char* dir : {"refused", "divergent"})
    for (const auto& entry : fs::directory_iterator(fs::path(OTA_TEST_DATA) / "canonical-json" / dir)) {
      if (entry.path().extension() != ".json") continue;
      if (entry.path().filename().string().rfind("key-order", 0) == 0) continue;  // below
      auto doc = nlohmann::json::parse(read(entry.path()), nullptr, false);
      EXPECT_TRUE(doc.is_discarded() || !canonical(doc)) << entry.path();
      ++checked;
    }
  EXPECT_GE(checked, 10);
}

// Keys starting with an astral character: UTF-8 byte order (python-securesystemslib's)
// puts them after U+E000..U+FFFF, JavaScript's UTF-16 order before. We keep byte order
// and record the difference; TUF metadata we write has ASCII keys only.
TEST(CanonicalJson, AstralKeysSortInUtf8ByteOrder) {
  auto doc = nlohmann::json::parse(read(fs::path(OTA_TEST_DATA) / "canonical-json" / "divergent" /
                                        "key-order-astral-vs-high-bmp.json"));
  auto ours = canonical(doc);
  ASSERT_TRUE(ours);
  // "a" (61) < U+E000 (ee 80 80) < U+FF01 (ef bc 81) < U+1F600 (f0 9f 98 80)
  EXPECT_EQ(*ours, "{\"a\":4,\"\xee\x80\x80\":3,\"\xef\xbc\x81\":1,\"\xf0\x9f\x98\x80\":2}");
  EXPECT_NE(*ours, read(fs::path(OTA_TEST_DATA) / "canonical-json" / "divergent" / "key-order-astral-vs-high-bmp.tufjs-out"));
}

TEST(CanonicalJson, RefusesFloats) {
  auto r = canonical(nlohmann::json{{"x", 1.5}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(CanonicalJson, RefusesStringsThatAreNotUtf8) {
  // A client parsing the served file would replace these bytes, canonicalise other
  // bytes, and fail every signature: refuse them when signing instead.
  for (const char* bad : {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
                          "a\x80"}) {
    auto value = canonical(nlohmann::json{{"v", std::string(bad)}});
    ASSERT_FALSE(value) << bad;
    EXPECT_EQ(value.error().code, Errc::invalid_argument);
    auto key = canonical(nlohmann::json{{std::string(bad), 1}});
    EXPECT_FALSE(key) << bad;
  }
  for (const char* good : {"\xc2\xa9", "\xe2\x82\xac", "\xef\xbf\xbf", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"})
    EXPECT_TRUE(canonical(nlohmann::json{{"v", std::string(good)}})) << good;
}

}  // namespace
}  // namespace ota::json
