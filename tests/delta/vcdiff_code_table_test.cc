// The default code table against RFC 3284 section 5.6's listing.
#include "delta/vcdiff_code_table.h"

#include <gtest/gtest.h>

namespace ota::delta::vcdiff {
namespace {

TEST(VcdiffCodeTable, MatchesRfc3284Listing) {
  const auto& t = default_code_table();
  EXPECT_EQ(t[0].first.type, kRun);
  EXPECT_EQ(t[0].first.size, 0);
  EXPECT_EQ(t[1].first.type, kAdd);
  EXPECT_EQ(t[1].first.size, 0);
  EXPECT_EQ(t[18].first.size, 17);
  EXPECT_EQ(t[19].first.type, kCopy);  // COPY mode 0 size 0
  EXPECT_EQ(t[19].first.size, 0);
  EXPECT_EQ(t[20].first.size, 4);
  EXPECT_EQ(t[34].first.size, 18);
  EXPECT_EQ(t[35].first.mode, 1);
  EXPECT_EQ(t[162].first.mode, 8);
  EXPECT_EQ(t[162].first.size, 18);
  // 163: ADD 1 + COPY 4 mode 0; 234: ADD 4 + COPY 6 mode 5
  EXPECT_EQ(t[163].first.type, kAdd);
  EXPECT_EQ(t[163].first.size, 1);
  EXPECT_EQ(t[163].second.type, kCopy);
  EXPECT_EQ(t[163].second.size, 4);
  EXPECT_EQ(t[234].first.size, 4);
  EXPECT_EQ(t[234].second.size, 6);
  EXPECT_EQ(t[234].second.mode, 5);
  // 235: ADD 1 + COPY 4 mode 6; 246: ADD 4 + COPY 4 mode 8
  EXPECT_EQ(t[235].second.mode, 6);
  EXPECT_EQ(t[246].first.size, 4);
  EXPECT_EQ(t[246].second.mode, 8);
  // 247: COPY 4 mode 0 + ADD 1; 255: COPY 4 mode 8 + ADD 1
  EXPECT_EQ(t[247].first.type, kCopy);
  EXPECT_EQ(t[247].second.type, kAdd);
  EXPECT_EQ(t[255].first.mode, 8);
  EXPECT_EQ(t[255].second.size, 1);
  for (size_t i = 0; i < 163; ++i) EXPECT_EQ(t[i].second.type, kNoop) << i;
}

}  // namespace
}  // namespace ota::delta::vcdiff
