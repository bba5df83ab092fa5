#include "client/faulty_source.h"

#include <gtest/gtest.h>

#include <algorithm>

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

// A repository of one finite target, `size` bytes of Counting's pattern.
class Finite final : public Source {
 public:
  explicit Finite(size_t size) : size_(size) {}
  Result<Bytes> fetch_metadata(const std::string&, size_t) override { return Bytes{'{', '}'}; }
  Result<Bytes> fetch_target(const std::string&, size_t) override { return Counting::range(0, size_); }
  Result<Bytes> fetch_target_range(const std::string&, uint64_t offset, size_t length) override {
    if (offset > size_) return Error{Errc::invalid_argument, "offset past the end"};
    return Counting::range(offset, std::min<size_t>(length, size_ - size_t(offset)));
  }

 private:
  size_t size_;
};

// Streams into a buffer; optionally fails on the call numbered `fail_on` (1-based).
struct Collect {
  Bytes bytes;
  int calls = 0, fail_on = 0;
  ByteSink sink() {
    return [this](ByteView b) -> Result<void> {
      if (++calls == fail_on) return Error{Errc::io, "sink write failed"};
      bytes.insert(bytes.end(), b.begin(), b.end());
      return {};
    };
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

TEST(FaultySource, StreamFaultsAreSeededAndEachKindBehavesAsDocumented) {
  auto run = [](uint64_t seed) {
    Finite inner(1000);
    FaultySource link(inner, FaultSpec{seed, 0.2, 0.1, 0.2, 0.2, std::nullopt});
    std::string log;
    for (int i = 0; i < 200; ++i) {
      const uint64_t offset = uint64_t(i);
      Collect got;
      auto r = link.stream_target("t", offset, 5000, got.sink());
      const Bytes want = Counting::range(offset, 1000 - size_t(offset));
      const bool prefix = got.bytes.size() <= want.size() && std::equal(got.bytes.begin(), got.bytes.end(), want.begin());
      if (!r) {
        EXPECT_EQ(r.error().code, Errc::io);
        EXPECT_TRUE(prefix) << "a drop delivers a prefix";
        EXPECT_LT(got.bytes.size(), want.size());
        log += got.bytes.empty() ? "S" : "D";  // stall (or a drop at byte 0), drop
      } else if (got.bytes.size() < want.size()) {
        EXPECT_TRUE(prefix) << "a truncation delivers a prefix";
        log += "T";
      } else {
        EXPECT_EQ(got.bytes.size(), want.size());
        log += got.bytes == want ? "." : "C";
      }
    }
    return std::pair(log, link.stats());
  };
  const auto a = run(21), b = run(21), c = run(22);
  EXPECT_EQ(a.first, b.first);
  EXPECT_NE(a.first, c.first);
  for (char kind : {'S', 'D', 'T', 'C', '.'}) EXPECT_NE(a.first.find(kind), std::string::npos) << kind;
  const auto count = [&](char k) { return uint64_t(std::count(a.first.begin(), a.first.end(), k)); };
  EXPECT_EQ(count('C'), a.second.corruptions);
  EXPECT_EQ(count('T'), a.second.truncations);
  EXPECT_EQ(count('S') + count('D'), a.second.drops + a.second.stalls);
  EXPECT_EQ(a.second.requests, 200u);
}

TEST(FaultySource, AStreamWithoutFaultsPassesThroughAndKeepsTheLimit) {
  Finite inner(1000);
  FaultySource good(inner, FaultSpec{});
  Collect whole, capped;
  ASSERT_TRUE(good.stream_target("t", 10, 1000, whole.sink()));
  EXPECT_EQ(whole.bytes, Counting::range(10, 990));
  auto r = good.stream_target("t", 0, 100, capped.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  EXPECT_EQ(capped.bytes, Counting::range(0, 100));
}

TEST(RetryingSource, ResumesADroppedStreamFromTheBytesAlreadyDelivered) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Finite inner(4096);
    FaultySource link(inner, FaultSpec{seed, 0.4, 0.2, 0, 0, std::nullopt});
    RetryingSource retrying(link, 50);
    Collect got;
    auto r = retrying.stream_target("t", 96, 8192, got.sink());
    ASSERT_TRUE(r) << "seed " << seed << ": " << r.error().message;
    EXPECT_EQ(got.bytes, Counting::range(96, 4000)) << "seed " << seed;
    EXPECT_EQ(retrying.retried(), link.stats().drops + link.stats().stalls) << "seed " << seed;
  }
}

TEST(RetryingSource, ResumingKeepsTheByteLimitAcrossAttempts) {
  Finite inner(4096);
  FaultySource link(inner, FaultSpec{3, 0.5, 0, 0, 0, std::nullopt});
  RetryingSource retrying(link, 50);
  Collect got;
  auto r = retrying.stream_target("t", 0, 1000, got.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  EXPECT_EQ(got.bytes, Counting::range(0, 1000));
  EXPECT_GT(retrying.retried(), 0u);
}

TEST(RetryingSource, ASinkErrorIsReturnedWithoutARetry) {
  Finite inner(4096);
  FaultySource link(inner, FaultSpec{});
  RetryingSource retrying(link, 5);
  Collect got;
  got.fail_on = 1;
  auto r = retrying.stream_target("t", 0, 8192, got.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "sink write failed");
  EXPECT_EQ(retrying.retried(), 0u);
  EXPECT_EQ(got.calls, 1);
}

}  // namespace
}  // namespace ota::client
