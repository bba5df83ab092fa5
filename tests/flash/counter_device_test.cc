// F11: the monotonic counter device and its persisted form.
#include "flash/counter_device.h"

#include <gtest/gtest.h>

namespace ota::flash {
namespace {

TEST(CounterDevice, NeverDecreasesAndCountsIncrements) {
  CounterDevice d;
  EXPECT_EQ(d.read(0), 0u);
  ASSERT_TRUE(d.advance(0, 5));
  ASSERT_TRUE(d.advance(0, 3));  // lower: a no-op, not an error
  ASSERT_TRUE(d.advance(0, 5));  // equal: a no-op
  EXPECT_EQ(d.read(0), 5u);
  EXPECT_EQ(d.increments(0), 1u);
  ASSERT_TRUE(d.advance(7, 1));
  EXPECT_EQ(d.read(7), 1u);
  EXPECT_EQ(d.read(0), 5u);  // counters are independent
}

TEST(CounterDevice, ABudgetRunsOut) {
  CounterDevice d(2);
  ASSERT_TRUE(d.advance(1, 10));
  ASSERT_TRUE(d.advance(1, 20));
  auto r = d.advance(1, 30);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_EQ(r.error().message, "counter 1: its budget of 2 increments is used up; it stays at 20");
  EXPECT_EQ(d.read(1), 20u);
  EXPECT_TRUE(d.advance(1, 20));  // no raise, no increment needed
}

TEST(CounterDevice, PersistsAndRejectsDamage) {
  CounterDevice d(64);
  ASSERT_TRUE(d.advance(3, 9));
  ASSERT_TRUE(d.advance(1, 4));
  const Bytes saved = d.serialize();
  auto back = CounterDevice::parse(saved);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->read(3), 9u);
  EXPECT_EQ(back->read(1), 4u);
  EXPECT_EQ(back->increments(3), 1u);
  EXPECT_EQ(back->budget(), 64u);
  EXPECT_EQ(back->serialize(), saved);
  EXPECT_EQ(CounterDevice::parse(CounterDevice().serialize())->budget(), std::nullopt);
  for (size_t i = 0; i < saved.size(); ++i) {  // every flipped byte is refused
    Bytes bad = saved;
    bad[i] ^= 0x40;
    EXPECT_FALSE(CounterDevice::parse(bad)) << "flip at " << i;
  }
  for (size_t n = 0; n < saved.size(); ++n)
    EXPECT_FALSE(CounterDevice::parse(ByteView(saved).first(n))) << "truncated to " << n;
}

}  // namespace
}  // namespace ota::flash
