#include "client/faulty_source.h"

#include <gtest/gtest.h>

namespace ota::client {
namespace {

// A repository of one target whose bytes are 0, 1, 2, ...
class Counting final : public Source {
 public:
  Result<Bytes> fetch_metadata(const std::string&, size_t) override { return Bytes{'{', '}'}; }
  Result<Bytes> fetch_target(const std::string&, size_t max) override { return range(0, max); }
  Result<Bytes> fetch_target_range(const std::string&, uint64_t offset, size_t length) override {
    return range(offset, length);
  }
  static Bytes range(uint64_t offset, size_t length) {
    Bytes b(length);
    for (size_t i = 0; i < length; ++i) b[i] = uint8_t(offset + i);
    return b;
  }
};

TEST(FaultSpec, ParsesPrintsAndRejects) {
  auto spec = parse_fault_spec("drop=0.1,seed=7,truncate=0.25,max=3");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->seed, 7u);
  EXPECT_DOUBLE_EQ(spec->drop, 0.1);
  EXPECT_DOUBLE_EQ(spec->truncate, 0.25);
  EXPECT_EQ(spec->max_faults, 3u);
  EXPECT_EQ(to_string(*spec), "seed=7,drop=0.1,truncate=0.25,max=3");
  EXPECT_FALSE(parse_fault_spec("none")->any());
  for (const char* bad : {"drop", "drop=2", "drop=-0.1", "jitter=0.1", "seed=x", "drop=0.6,stall=0.6", "drop=0.1x"}) {
    auto r = parse_fault_spec(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_argument);
    }
  }
}

TEST(FaultySource, TheSameSeedInjectsTheSameFaults) {
  auto run = [](uint64_t seed) {
    Counting inner;
    FaultySource link(inner, FaultSpec{seed, 0.2, 0.1, 0.2, 0.2, std::nullopt});
    std::string log;
    for (int i = 0; i < 200; ++i) {
      auto got = link.fetch_target_range("t", uint64_t(i) * 64, 64);
      if (!got) log += "E";
      else if (got->size() < 64) log += "T";
      else if (*got != Counting::range(uint64_t(i) * 64, 64)) log += "C";
      else log += ".";
    }
    return std::pair(log, link.stats().faults());
  };
  const auto a = run(11), b = run(11), c = run(12);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.first, c.first);
  // Every kind shows up at these rates, and about 70 % of requests are faulty.
  for (char kind : {'E', 'T', 'C', '.'}) EXPECT_NE(a.first.find(kind), std::string::npos) << kind;
  EXPECT_GT(a.second, 100u);
  EXPECT_LT(a.second, 180u);
}

TEST(FaultySource, MaxBoundsTheFaultsAndNoneIsAGoodLink) {
  Counting inner;
  FaultySource capped(inner, FaultSpec{1, 1.0, 0, 0, 0, 5});
  int errors = 0;
  for (int i = 0; i < 50; ++i) errors += !capped.fetch_target_range("t", 0, 16);
  EXPECT_EQ(errors, 5);
  EXPECT_EQ(capped.stats().drops, 5u);
  FaultySource good(inner, FaultSpec{});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(*good.fetch_target_range("t", 3, 16), Counting::range(3, 16));
  EXPECT_EQ(good.stats().faults(), 0u);
}

}  // namespace
}  // namespace ota::client
