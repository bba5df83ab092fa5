#include "core/result.h"

#include <gtest/gtest.h>

#include "core/hex.h"

namespace ota {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error{Errc::invalid_argument, "not positive"};
  return v;
}

Result<void> twice(int v) {
  OTA_TRY(parse_positive(v));
  return {};
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*parse_positive(3), 3);
  auto bad = parse_positive(0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

TEST(Result, TryPropagatesAndContextPrefixes) {
  auto r = twice(-1);
  ASSERT_FALSE(r);
  Error e = std::move(r).error().with_context("reading 'x'");
  EXPECT_EQ(e.message, "reading 'x': not positive");
  EXPECT_TRUE(twice(1));
}

TEST(Hex, LowerCaseTwoDigits) { EXPECT_EQ(to_hex(Bytes{0, 0xAB, 0x0F}), "00ab0f"); }

}  // namespace
}  // namespace ota
