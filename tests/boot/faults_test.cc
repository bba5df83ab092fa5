// BOOT-SPEC B2/T7 and F5 at boot: a trial the record cannot count is never booted, a power
// cut propagates to the harness, and a cut at any operation of a trial boot and its confirm
// leaves a device that boots the old or the new image (B1), never RECOVERY.
#include "boot/bootloader.h"

#include "boot/firmware.h"
#include "device.h"
#include "flash/cutting_flash.h"

namespace ota::boot {
namespace {

using image::SlotState;

// Fails every program (or erase) with Errc::io while `failing` is set: a worn or
// write-protected BCR sector (MCUboot's status-fail tests at rate 1.0).
class FailingFlash final : public flash::Flash {
 public:
  explicit FailingFlash(flash::Flash& inner) : inner_(inner) {}
  bool fail_program = true, fail_erase = false;
  const flash::Geometry& geometry() const override { return inner_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
  Result<void> program(uint64_t offset, ByteView data) override {
    if (fail_program) return Error{Errc::io, "program failed at " + std::to_string(offset)};
    return inner_.program(offset, data);
  }
  Result<void> erase(uint64_t offset, uint64_t length) override {
    if (fail_erase) return Error{Errc::io, "erase failed at " + std::to_string(offset)};
    return inner_.erase(offset, length);
  }

 private:
  flash::Flash& inner_;
};

class BootFaults : public ::testing::TestWithParam<uint8_t> {
 protected:
  test::Device d{GetParam()};
};
INSTANTIATE_TEST_SUITE_P(Erased, BootFaults, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)), test::erased_name);

TEST_P(BootFaults, ATrialThatCannotBeCountedIsNotBooted) {
  for (bool erase_fails : {false, true}) {
    d.factory(d.image(0));
    d.stage(1, d.image(1, {.sec = 2}));
    FailingFlash failing(d.flash);
    failing.fail_erase = erase_fails;
    BootResult r = d.boot(&failing);
    ASSERT_EQ(r.booted, 0) << r.reason;
    EXPECT_EQ(r.path, BootPath::rollback);
    EXPECT_NE(r.reason.find("could not be counted"), std::string::npos) << r.reason;
    ASSERT_EQ(r.checks.size(), 1u);  // slot B was never judged, let alone booted
    EXPECT_EQ(r.checks[0].slot, 0);
    ASSERT_EQ(r.writes.size(), 2u);  // the decrement, then the rollback: both failed
    EXPECT_EQ(r.writes[0].rfind("boot-control record not written", 0), 0u) << r.writes[0];
    // C4 kept the record: B is still pending with all its tries.
    const auto rec = d.record();
    EXPECT_EQ(rec.pending_slot, 1);
    EXPECT_EQ(rec.slot[1].tries_left, 3);
  }
}

TEST_P(BootFaults, APowerCutReachesTheCaller) {
  d.factory(d.image(0));
  d.stage(1, d.image(1, {.sec = 2}));
  flash::CuttingFlash cut(d.flash, 1, flash::CutMode::before);
  auto r = boot(cut, d.layout);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::power_cut);
  // Power returns: the cut op never ran, so this is trial 1.
  BootResult again = d.boot();
  EXPECT_EQ(again.booted, 1);
  EXPECT_EQ(again.trial, 1);
}

// T2 in small: the update's last steps (trial boot, confirm, counter advance) cut at every
// operation in every mode; then resets without cuts, the agent confirming whatever runs
// on trial, until NORMAL. The device always boots A or B, the floor never falls, and the
// end state is one of the two B1 outcomes.
TEST_P(BootFaults, ACutAnywhereInTrialAndConfirmEndsInTheOldOrTheNewImage) {
  d.layout.boot.prevent_late_fallback = true;  // so confirm also advances the counter
  d.factory(d.image(0, {.sec = 1}));
  d.stage(1, d.image(1, {.sec = 4}));
  const flash::MemFlash staged = d.flash;
  auto scenario = [&](flash::Flash& f) -> Result<void> {
    auto r = boot(f, d.layout);
    if (!r) return std::move(r).error();
    auto c = confirm(f, d.layout, *r->booted);
    if (!c) return std::move(c).error();
    return {};
  };
  flash::CuttingFlash counter(d.flash, 0, flash::CutMode::before);
  ASSERT_TRUE(scenario(counter));
  const uint64_t total = counter.operations();
  EXPECT_EQ(total, 5u);  // decrement (erase, program), confirm (erase, program), counter (program)
  for (uint64_t n = 1; n <= total; ++n)
    for (flash::CutMode mode : flash::kAllCutModes)
      for (uint64_t seed = 0; seed < 3; ++seed) {
        d.flash = staged;
        flash::CuttingFlash cut(d.flash, n, mode, seed);
        auto first = scenario(cut);
        ASSERT_FALSE(first) << "cut at " << n << " did not happen";
        ASSERT_EQ(first.error().code, Errc::power_cut);
        uint32_t floor = d.floor();
        bool normal = false;
        for (int reset = 0; reset < 6 && !normal; ++reset) {
          BootResult r = d.boot();
          ASSERT_TRUE(r.booted) << "RECOVERY after a cut at " << n << " (" << flash::to_string(mode) << ", seed " << seed
                                << "): " << r.reason;
          ASSERT_GE(r.floor_after, floor);
          floor = r.floor_after;
          if (r.path == BootPath::trial || r.path == BootPath::scan) {
            ASSERT_TRUE(confirm(d.flash, d.layout, *r.booted));
          } else {
            normal = r.path == BootPath::normal;
          }
        }
        ASSERT_TRUE(normal) << "cut at " << n << " (" << flash::to_string(mode) << ")";
        const auto rec = d.record();
        const int active = rec.active_slot;
        EXPECT_TRUE(active == 0 || active == 1);
        EXPECT_EQ(rec.slot[size_t(active)].state, SlotState::confirmed);
        if (active == 1) {
          EXPECT_EQ(d.floor(), 4u) << "cut at " << n << ": confirmed B without the A3 advance";
        }
      }
}

}  // namespace
}  // namespace ota::boot
