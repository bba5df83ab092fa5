#include "agent/installer.h"

#include <gtest/gtest.h>

#include "agent/journal.h"
#include "boot/bootloader.h"
#include "crypto/sha256.h"
#include "flash/cutting_flash.h"
#include "image/bcr.h"
#include "image/rot.h"
#include "verify/powercut.h"
#include "verify/synthetic.h"

namespace ota::agent {
namespace {

verify::Subject subject(verify::SyntheticConfig config = {}) {
  auto s = verify::synthetic_subject(config);
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

FetchRange fetch_from(const std::map<std::string, Bytes>& files) { return verify::fetch_from(files); }

image::BootControl record(flash::Flash& f, const image::Layout& layout) {
  auto loaded = image::BcrStore(f, layout).load();
  EXPECT_TRUE(loaded) << loaded.error().message;
  return loaded ? loaded->record : image::BootControl{};
}

uint64_t ops(const flash::MemFlash& m) { return m.programs() + m.erases(); }

class Install : public ::testing::Test {
 protected:
  verify::Subject s = subject();
  flash::MemFlash mem = s.factory;
  FetchRange fetch = fetch_from(s.files);
};

TEST_F(Install, APatchEndsPendingInTheOtherSlotAndBootsAsATrial) {
  auto report = install(mem, s.layout, s.plan, fetch);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->slot, 1);
  EXPECT_EQ(report->delivery, Delivery::delta);
  EXPECT_EQ(report->downloaded_bytes, s.plan.patch->length);
  EXPECT_EQ(report->retries, 0u);
  const auto r = record(mem, s.layout);
  EXPECT_EQ(r.pending_slot, 1);
  EXPECT_EQ(r.slot[1].state, image::SlotState::pending);
  EXPECT_EQ(r.slot[1].tries_left, s.layout.boot.tries);
  EXPECT_EQ(r.slot[0].state, image::SlotState::confirmed);
  // Every sector of the target slot was erased at most once.
  const auto& slot = s.layout.slot(1);
  for (uint64_t at = slot.offset; at < slot.offset + slot.size; at += 4096)
    EXPECT_LE(mem.erase_count(mem.geometry().sector_at(at)->index), 1u) << at;
  auto booted = boot::boot(mem, s.layout);
  ASSERT_TRUE(booted) << booted.error().message;
  ASSERT_TRUE(booted->booted);
  EXPECT_EQ(*booted->booted, 1);
  EXPECT_EQ(booted->path, boot::BootPath::trial);
  EXPECT_EQ(booted->image->sha256, s.plan.slot_digest);
}

TEST_F(Install, TheFullImageWhenAskedOrWhenThePatchStartsElsewhere) {
  InstallOptions full;
  full.prefer_full = true;
  auto report = install(mem, s.layout, s.plan, fetch, full);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->delivery, Delivery::full);
  EXPECT_EQ(report->downloaded_bytes, s.plan.image.length);

  flash::MemFlash other = s.factory;
  UpdatePlan plan = s.plan;
  plan.from_version = "0.9.0";
  auto fallback = install(other, s.layout, plan, fetch);
  ASSERT_TRUE(fallback) << fallback.error().message;
  EXPECT_EQ(fallback->delivery, Delivery::full);
  EXPECT_NE(fallback->delivery_reason.find("0.9.0"), std::string::npos) << fallback->delivery_reason;
}

TEST_F(Install, AResumedInstallKeepsTheVerifiedChunks) {
  InstallOptions full;
  full.prefer_full = true;
  // Lose power two thirds of the way through, in the middle of a page program.
  flash::MemFlash probe = s.factory;
  ASSERT_TRUE(install(probe, s.layout, s.plan, fetch, full));
  const uint64_t total = ops(probe) - ops(s.factory);
  flash::CuttingFlash cut(mem, total * 2 / 3, flash::CutMode::torn_program, 7);
  auto first = install(cut, s.layout, s.plan, fetch, full);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, Errc::power_cut);
  auto second = install(mem, s.layout, s.plan, fetch, full);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->attempt, 2);
  EXPECT_GT(second->reused_bytes, s.plan.image.length / 3);
  EXPECT_LT(second->downloaded_bytes, s.plan.image.length * 2 / 3);
  EXPECT_EQ(record(mem, s.layout).slot[1].state, image::SlotState::pending);
}

TEST_F(Install, ABadLinkCostsRetriesNotTheUpdate) {
  uint64_t calls = 0;
  FetchRange flaky = [&](const Payload& p, uint64_t offset, size_t length) -> Result<Bytes> {
    ++calls;
    if (calls % 3 == 1) return Error{Errc::io, "connection reset"};
    auto got = fetch(p, offset, length);
    if (got && calls % 3 == 2 && got->size() > 10) got->resize(got->size() / 2);  // a short answer
    if (got && calls % 5 == 0 && !got->empty()) (*got)[0] ^= 1;                   // a flipped byte
    return got;
  };
  InstallOptions full;
  full.prefer_full = true;
  auto report = install(mem, s.layout, s.plan, flaky, full);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GT(report->retries, 10u);
  EXPECT_EQ(record(mem, s.layout).slot[1].state, image::SlotState::pending);
}

// Attacks and refusals: the device keeps running v1.0.0 from slot A.
void expect_still_running_old(flash::MemFlash& mem, const verify::Subject& s) {
  auto booted = boot::boot(mem, s.layout);
  ASSERT_TRUE(booted) << booted.error().message;
  ASSERT_TRUE(booted->booted);
  EXPECT_EQ(*booted->booted, 0);
  EXPECT_EQ(booted->image->sha256, s.old_digest);
  EXPECT_EQ(record(mem, s.layout).pending_slot, image::kNoSlot);
}

TEST_F(Install, ATamperedPatchNeverReachesTheSlot) {
  auto files = s.files;
  files[s.plan.patch->name][100] ^= 0x40;
  auto report = install(mem, s.layout, s.plan, fetch_from(files));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::rejected);
  EXPECT_NE(report.error().message.find("chunk 0"), std::string::npos) << report.error().message;
  expect_still_running_old(mem, s);
}

TEST_F(Install, ATamperedImageChunkIsRefusedBeforeItIsWritten) {
  auto files = s.files;
  files[s.plan.image.name][5000] ^= 0x01;  // chunk 1
  InstallOptions full;
  full.prefer_full = true;
  auto report = install(mem, s.layout, s.plan, fetch_from(files), full);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::rejected);
  // Chunk 0 was written, chunk 1 never: its bytes in the slot are still erased.
  Bytes at(16, 0);
  ASSERT_TRUE(mem.read(s.layout.slot(1).offset + 4096, at));
  for (uint8_t b : at) EXPECT_EQ(b, s.layout.device_of(s.layout.slot(1)).erased);
  expect_still_running_old(mem, s);
}

TEST_F(Install, APatchFromAnotherSourceIsRefused) {
  // A validly signed chunk list for a patch that was made from different bytes.
  auto other = verify::synthetic_subject({"uniform-4k", 8, 0xFF, 48 * 1024, 4096});
  ASSERT_TRUE(other);
  UpdatePlan plan = s.plan;
  plan.patch = other->plan.patch;
  auto files = s.files;
  files[plan.patch->name] = other->files.at(other->plan.patch->name);
  auto report = install(mem, s.layout, plan, fetch_from(files));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::rejected);
  EXPECT_NE(report.error().message.find("does not produce the image"), std::string::npos) << report.error().message;
  expect_still_running_old(mem, s);
}

TEST_F(Install, RefusalsBeforeAnyFlashWrite) {
  struct Case {
    const char* what;
    void (*edit)(UpdatePlan&);
    const char* message;
  };
  const Case cases[] = {
      {"hardware", [](UpdatePlan& p) { p.hardware_id = "other-board"; }, "hardware id"},
      {"downgrade", [](UpdatePlan& p) { p.slot_version = "0.9.0+0"; }, "below the installed"},
      {"rollback", [](UpdatePlan& p) { p.security_counter = 0; }, "anti-rollback counter"},
  };
  // Raise the floor to v1.0.0's counter so that SEC_CNT 0 is below it.
  ASSERT_TRUE(image::advance_counter(mem, s.layout, 1u << 24));
  const flash::MemFlash before = mem;
  for (const Case& c : cases) {
    UpdatePlan plan = s.plan;
    c.edit(plan);
    auto report = install(mem, s.layout, plan, fetch);
    ASSERT_FALSE(report) << c.what;
    EXPECT_EQ(report.error().code, Errc::rejected) << c.what;
    EXPECT_NE(report.error().message.find(c.message), std::string::npos) << c.what << ": " << report.error().message;
    EXPECT_EQ(ops(mem), ops(before)) << c.what;
  }
}

TEST_F(Install, NothingIsStagedWhileASlotIsPending) {
  ASSERT_TRUE(install(mem, s.layout, s.plan, fetch));
  auto again = install(mem, s.layout, s.plan, fetch);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::rejected);
  EXPECT_NE(again.error().message.find("U5"), std::string::npos) << again.error().message;
}

TEST_F(Install, AnImageTheBootloaderWouldRefuseIsMarkedFailed) {
  // Metadata and chunks agree, but the image is signed by a key the device does not trust.
  auto foreign = verify::synthetic_subject({});
  ASSERT_TRUE(foreign);
  UpdatePlan plan = s.plan;
  Bytes image = s.files.at(plan.image.name);
  // Re-sign: flip a byte of the signature TLV (the last bytes of the image) and recompute
  // the chunk list, as a repository signing a rogue image would.
  image[image.size() - 3] ^= 0x10;
  plan.image.sha256 = crypto::sha256(image);
  plan.image.chunks.back() = crypto::sha256(ByteView(image).subspan((plan.image.chunks.size() - 1) * plan.image.chunk_size));
  auto files = s.files;
  files[plan.image.name] = image;
  InstallOptions full;
  full.prefer_full = true;
  auto report = install(mem, s.layout, plan, fetch_from(files), full);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::rejected);
  EXPECT_NE(report.error().message.find("INVALID_SIGNATURE"), std::string::npos) << report.error().message;
  const auto r = record(mem, s.layout);
  EXPECT_EQ(r.slot[1].state, image::SlotState::failed);
  EXPECT_EQ(r.slot[1].reason, image::FailReason::verify);
  expect_still_running_old(mem, s);
}

TEST_F(Install, AfterTenResumesItStartsOver) {
  InstallOptions full;
  full.prefer_full = true;
  full.max_attempts = 2;
  // Two interrupted attempts, then the third starts over from nothing.
  for (int k = 0; k < 2; ++k) {
    flash::CuttingFlash cut(mem, 30, flash::CutMode::before);
    ASSERT_FALSE(install(cut, s.layout, s.plan, fetch, full));
  }
  auto report = install(mem, s.layout, s.plan, fetch, full);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->attempt, 1);
  EXPECT_EQ(report->reused_bytes, 0u);
  EXPECT_EQ(report->downloaded_bytes, s.plan.image.length);
}

}  // namespace
}  // namespace ota::agent
