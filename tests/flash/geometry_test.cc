#include "flash/flash.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ota::flash {
namespace {

constexpr uint64_t kK = 1024;

// STM32F4-style bank: 16K x4, 64K, 128K x7 = 1 MiB (BOOT-SPEC F1).
Device stm32f4() {
  Device g;
  g.sectors = {{16 * kK, 4}, {64 * kK, 1}, {128 * kK, 7}};
  g.write_size = 4;
  return g;
}

TEST(Geometry, SumsMixedSectorSizes) {
  const Geometry g = stm32f4();
  EXPECT_EQ(g.size(), 1024 * kK);
  EXPECT_EQ(g.sector_count(), 12u);
}

TEST(Geometry, FindsTheSectorHoldingAnOffsetAcrossRuns) {
  const Geometry g = stm32f4();
  struct Case { uint64_t at, offset, size; size_t index; };
  const std::vector<Case> cases = {
      {0, 0, 16 * kK, 0},
      {16 * kK - 1, 0, 16 * kK, 0},
      {16 * kK, 16 * kK, 16 * kK, 1},
      {63 * kK, 48 * kK, 16 * kK, 3},
      {64 * kK, 64 * kK, 64 * kK, 4},
      {128 * kK - 1, 64 * kK, 64 * kK, 4},
      {128 * kK, 128 * kK, 128 * kK, 5},
      {1024 * kK - 1, 896 * kK, 128 * kK, 11},
  };
  for (const Case& c : cases) {
    auto s = g.sector_at(c.at);
    ASSERT_TRUE(s.has_value()) << c.at;
    EXPECT_EQ(s->offset, c.offset) << c.at;
    EXPECT_EQ(s->size, c.size) << c.at;
    EXPECT_EQ(s->index, c.index) << c.at;
  }
}

TEST(Geometry, HasNoSectorPastTheEnd) {
  const Geometry g = stm32f4();
  EXPECT_FALSE(g.sector_at(1024 * kK).has_value());
  EXPECT_FALSE(g.sector_at(UINT64_MAX).has_value());
  EXPECT_FALSE(Geometry{}.sector_at(0).has_value());
}

TEST(Geometry, SkipsEmptyRuns) {
  Device d;
  d.sectors = {{4096, 0}, {4096, 2}, {8192, 0}};
  const Geometry g = d;
  EXPECT_EQ(g.size(), 8192u);
  EXPECT_EQ(g.sector_count(), 2u);
  auto s = g.sector_at(4096);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 1u);
  EXPECT_EQ(s->offset, 4096u);
  EXPECT_FALSE(g.sector_at(8192));
}

// F1: internal flash (STM32F4-like, 1 MiB) then an external SPI-NOR (4K x 256, 256-byte
// pages) in one address space.
Geometry internal_and_spi() {
  Device spi;
  spi.name = "spi";
  spi.sectors = {{4 * kK, 256}};
  spi.page_size = 256;
  Device internal = stm32f4();
  internal.name = "internal";
  internal.erased = 0x00;
  Geometry g;
  g.devices = {internal, spi};
  return g;
}

TEST(Geometry, DevicesLieEndToEndInOneAddressSpace) {
  const Geometry g = internal_and_spi();
  EXPECT_EQ(g.size(), 2048 * kK);
  EXPECT_EQ(g.sector_count(), 12u + 256u);
  EXPECT_EQ(g.device_base(0), 0u);
  EXPECT_EQ(g.device_base(1), 1024 * kK);
  EXPECT_EQ(g.device_index(1024 * kK - 1), 0u);
  EXPECT_EQ(g.device_index(1024 * kK), 1u);
  EXPECT_EQ(g.device_index(UINT64_MAX), 1u);  // past the end: the last device
  EXPECT_EQ(g.device_at(0).erased, 0x00);
  EXPECT_EQ(g.device_at(1024 * kK + 5).page_size, 256u);
  auto s = g.sector_at(1024 * kK + 4 * kK + 1);  // the SPI's second sector
  ASSERT_TRUE(s);
  EXPECT_EQ(s->offset, 1028 * kK);
  EXPECT_EQ(s->size, 4 * kK);
  EXPECT_EQ(s->index, 13u);  // indexes run on across devices
  EXPECT_FALSE(g.sector_at(2048 * kK));
}

TEST(Geometry, AnEraseRangeMustStayOnOneDevice) {
  const Geometry g = internal_and_spi();
  EXPECT_TRUE(g.sector_aligned(896 * kK, 128 * kK));           // the internal's last sector
  EXPECT_TRUE(g.sector_aligned(1024 * kK, 8 * kK));            // two SPI sectors
  EXPECT_FALSE(g.sector_aligned(896 * kK, 128 * kK + 4 * kK));  // both ends on boundaries, two devices
}

TEST(ProgramPages, UsesThePageSizeOfTheDeviceItWritesTo) {
  const Geometry g = internal_and_spi();
  struct Recorder final : Flash {
    explicit Recorder(Geometry geo) : g_(std::move(geo)) {}
    const Geometry& geometry() const override { return g_; }
    Result<void> read(uint64_t, std::span<uint8_t>) override { return {}; }
    Result<void> program(uint64_t offset, ByteView data) override {
      calls.emplace_back(offset, data.size());
      return {};
    }
    Result<void> erase(uint64_t, uint64_t) override { return {}; }
    Geometry g_;
    std::vector<std::pair<uint64_t, size_t>> calls;
  } f(g);
  ASSERT_TRUE(program_pages(f, 0, Bytes(600, 1)));  // internal: no page limit
  ASSERT_TRUE(program_pages(f, 1024 * kK, Bytes(600, 1)));  // SPI: 256-byte pages
  const std::vector<std::pair<uint64_t, size_t>> expected = {
      {0, 600}, {1024 * kK, 256}, {1024 * kK + 256, 256}, {1024 * kK + 512, 88}};
  EXPECT_EQ(f.calls, expected);
}

TEST(Geometry, SectorAlignedNeedsBothEndsOnBoundaries) {
  const Geometry g = stm32f4();
  EXPECT_TRUE(g.sector_aligned(0, 16 * kK));
  EXPECT_TRUE(g.sector_aligned(0, 64 * kK));              // four 16K sectors
  EXPECT_TRUE(g.sector_aligned(48 * kK, 16 * kK + 64 * kK));  // spans two runs
  EXPECT_TRUE(g.sector_aligned(896 * kK, 128 * kK));      // up to the end
  EXPECT_TRUE(g.sector_aligned(0, 1024 * kK));
  EXPECT_FALSE(g.sector_aligned(0, 8 * kK));              // ends inside a sector
  EXPECT_FALSE(g.sector_aligned(8 * kK, 8 * kK));         // starts inside a sector
  EXPECT_FALSE(g.sector_aligned(64 * kK, 32 * kK));       // half of the 64K sector
  EXPECT_FALSE(g.sector_aligned(896 * kK, 256 * kK));     // past the end
  EXPECT_FALSE(g.sector_aligned(1024 * kK, 16 * kK));     // starts at the end
  EXPECT_FALSE(g.sector_aligned(0, 0));                   // empty
  EXPECT_FALSE(g.sector_aligned(16 * kK, UINT64_MAX));    // overflowing length
}

// Records every program call.
class RecordingFlash final : public Flash {
 public:
  explicit RecordingFlash(Geometry g) : g_(std::move(g)) {}
  const Geometry& geometry() const override { return g_; }
  Result<void> read(uint64_t, std::span<uint8_t>) override { return {}; }
  Result<void> program(uint64_t offset, ByteView data) override {
    calls.emplace_back(offset, Bytes(data.begin(), data.end()));
    return {};
  }
  Result<void> erase(uint64_t, uint64_t) override { return {}; }
  std::vector<std::pair<uint64_t, Bytes>> calls;

 private:
  Geometry g_;
};

Bytes counting(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

TEST(ProgramPages, WithoutPagesIssuesOneProgram) {
  Device g = stm32f4();
  RecordingFlash f(g);
  const Bytes data = counting(1000);
  ASSERT_TRUE(program_pages(f, 100, data));
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[0].first, 100u);
  EXPECT_EQ(f.calls[0].second, data);
}

TEST(ProgramPages, SplitsAtEveryPageBoundary) {
  Device g = stm32f4();
  g.page_size = 256;
  RecordingFlash f(g);
  const Bytes data = counting(600);
  ASSERT_TRUE(program_pages(f, 200, data));  // 200..256, 256..512, 512..768, 768..800
  ASSERT_EQ(f.calls.size(), 4u);
  const std::vector<std::pair<uint64_t, size_t>> expected = {{200, 56}, {256, 256}, {512, 256}, {768, 32}};
  size_t done = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(f.calls[i].first, expected[i].first);
    ASSERT_EQ(f.calls[i].second.size(), expected[i].second);
    EXPECT_EQ(f.calls[i].second, Bytes(data.begin() + done, data.begin() + done + expected[i].second));
    done += expected[i].second;
  }
}

TEST(ProgramPages, KeepsAWholePageInOneProgram) {
  Device g = stm32f4();
  g.page_size = 256;
  RecordingFlash f(g);
  ASSERT_TRUE(program_pages(f, 512, counting(256)));
  EXPECT_EQ(f.calls.size(), 1u);
}

TEST(ProgramPages, EmptyDataProgramsNothing) {
  RecordingFlash f(stm32f4());
  ASSERT_TRUE(program_pages(f, 0, {}));
  EXPECT_TRUE(f.calls.empty());
}

}  // namespace
}  // namespace ota::flash
