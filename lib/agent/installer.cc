#include "agent/installer.h"

#include <algorithm>

#include "agent/chunk_writer.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "delta/operations.h"
#include "image/bcr.h"
#include "image/device_trust.h"
#include "image/slot_image.h"

namespace ota::agent {
namespace {

Error rejected(std::string what) { return Error{Errc::rejected, std::move(what)}; }

const char* slot_name(int slot) { return slot == 0 ? "A" : "B"; }

Result<Bytes> read_region(flash::Flash& flash, uint64_t offset, uint64_t length) {
  Bytes out(length, 0);
  OTA_TRY(flash.read(offset, out));
  return out;
}

// Everything the refusals of U5, A4, A6 and A7 need, read once.
struct DeviceState {
  image::DeviceTrust trust;
  image::BootControl bcr;
  int active = 0;
  image::ParsedImage active_image;
  Bytes active_bytes;  // the active slot's image, the source of a patch
};

Result<DeviceState> read_state(flash::Flash& flash, const image::Layout& layout) {
  DeviceState s;
  auto trust = image::read_device_trust(flash, layout);
  if (!trust) return std::move(trust).error().with_context("reading the device's root of trust");
  s.trust = std::move(*trust);
  image::BcrStore store(flash, layout);
  auto loaded = store.load();
  if (!loaded) return std::move(loaded).error().with_context("reading the boot-control record");
  s.bcr = loaded->record;
  if (s.bcr.pending_slot != image::kNoSlot)
    return rejected(std::string("slot ") + slot_name(s.bcr.pending_slot) + " is " +
                    std::string(to_string(s.bcr.slot[s.bcr.pending_slot].state)) +
                    ": it must be confirmed or rolled back before another update is staged (BOOT-SPEC U5)");
  if (s.bcr.active_slot == image::kNoSlot || s.bcr.slot[s.bcr.active_slot].state != image::SlotState::confirmed)
    return rejected("no slot is CONFIRMED and active: refusing to stage an update without a fallback (BOOT-SPEC U5)");
  s.active = s.bcr.active_slot;
  const image::Region& slot = layout.slot(s.active);
  auto bytes = read_region(flash, slot.offset, slot.size);
  if (!bytes) return std::move(bytes).error();
  const image::VerifyReport report =
      image::verify_image(*bytes, image::slot_policy(layout, s.trust, s.active, s.trust.rot.counter), slot.size);
  if (report.code != image::VerifyCode::ok)
    return rejected(std::string("the active slot ") + slot_name(s.active) + " does not verify (" +
                    std::string(to_string(report.code)) + ": " + report.message +
                    "): refusing to replace its fallback (BOOT-SPEC U5)");
  s.active_image = *report.image;
  bytes->resize(s.active_image.total_size);
  s.active_bytes = std::move(*bytes);
  return s;
}

Result<void> check_plan(const image::Layout& layout, const DeviceState& s, const UpdatePlan& plan,
                        const InstallOptions& options) {
  if (plan.hardware_id != layout.hardware_id)
    return rejected("the update is for hardware id '" + plan.hardware_id + "', this device is '" + layout.hardware_id + "'");
  const uint32_t floor = s.trust.rot.counter;
  if (plan.security_counter < floor)
    return rejected("the update's security counter " + std::to_string(plan.security_counter) +
                    " is below the device's anti-rollback counter " + std::to_string(floor) + " (BOOT-SPEC A4)");
  auto version = image::parse_version(plan.slot_version);
  if (!version) return rejected("the update's slot image version '" + plan.slot_version + "' is malformed");
  if (image::compare(*version, s.active_image.version) < 0 && !options.allow_downgrade)
    return rejected("the update's version " + image::to_string(*version) + " is below the installed " +
                    image::to_string(s.active_image.version) + " (BOOT-SPEC A6; a downgrade must be allowed explicitly)");
  if (plan.security_counter > floor && s.trust.rot.counter_used >= s.trust.rot.counter_slots)
    return rejected("the anti-rollback counter has used all " + std::to_string(s.trust.rot.counter_slots) +
                    " advances: an update raising it to " + std::to_string(plan.security_counter) +
                    " could never be confirmed (BOOT-SPEC A7)");
  // Chunks are programmed whole into the slots and the staging area, on any device.
  uint32_t granule = 1;
  for (const flash::Device& d : layout.geometry.devices) granule = std::max(granule, d.write_size);
  for (const Payload* p : {&plan.image, plan.patch ? &*plan.patch : nullptr}) {
    if (!p) continue;
    const uint64_t expected = p->chunk_size ? (p->length + p->chunk_size - 1) / p->chunk_size : 0;
    if (p->length == 0 || p->chunk_size == 0 || p->chunks.size() != expected)
      return rejected("'" + p->name + "' has " + std::to_string(p->chunks.size()) + " chunk hashes for " +
                      std::to_string(p->length) + " bytes in chunks of " + std::to_string(p->chunk_size));
    if (p->chunk_size % granule != 0)
      return rejected("'" + p->name + "' has chunks of " + std::to_string(p->chunk_size) +
                      " bytes, not a multiple of the flash write size " + std::to_string(granule));
  }
  if (plan.image.length > layout.slot(0).size)
    return rejected("the image (" + std::to_string(plan.image.length) + " bytes) does not fit a slot (" +
                    std::to_string(layout.slot(0).size) + " bytes)");
  return {};
}

// Downloads `payload` into `region` from `resume_at`, chunk by chunk; a chunk is retried
// (and a short answer continued with a range request) until it matches its signed hash.
Result<void> download_into(flash::Flash& flash, const image::Region& region, const Payload& payload, uint64_t resume_at,
                           const FetchRange& fetch, const InstallOptions& options, InstallReport& report) {
  ChunkWriter writer(flash, region, payload, resume_at);
  writer.start_at(resume_at / payload.chunk_size * payload.chunk_size);
  for (size_t k = resume_at / payload.chunk_size; k < payload.chunks.size(); ++k) {
    const uint64_t offset = k * payload.chunk_size;
    const size_t length = size_t(std::min<uint64_t>(payload.chunk_size, payload.length - offset));
    Bytes chunk;
    uint32_t failures = 0;
    bool link_failed = false;  // else every failure was bad content: consistent tampering
    std::string last_problem;
    while (true) {
      if (chunk.size() == length) {
        if (crypto::sha256(chunk) == payload.chunks[k]) break;
        last_problem = "chunk " + std::to_string(k) + " does not match its signed hash";
        chunk.clear();
      } else {
        auto got = fetch(payload, offset + chunk.size(), length - chunk.size());
        if (got && !got->empty() && got->size() <= length - chunk.size()) {
          report.downloaded_bytes += got->size();
          chunk.insert(chunk.end(), got->begin(), got->end());
          continue;
        }
        if (!got && got.error().code == Errc::power_cut) return std::move(got).error();
        last_problem = got ? "an empty or oversized answer" : got.error().message;
        link_failed = true;
      }
      if (++failures > options.retries_per_chunk)
        return Error{link_failed ? Errc::io : Errc::rejected, "'" + payload.name + "' chunk " + std::to_string(k) +
                                                                 " failed " + std::to_string(failures) +
                                                                 " times, last: " + last_problem};
      ++report.retries;
    }
    OTA_TRY(writer.write(chunk));
  }
  return writer.finish();
}

}  // namespace

Result<InstallReport> install(flash::Flash& flash, const image::Layout& layout, const UpdatePlan& plan,
                              const FetchRange& fetch, const InstallOptions& options) {
  auto state = read_state(flash, layout);
  if (!state) return std::move(state).error();
  DeviceState& s = *state;
  OTA_TRY(check_plan(layout, s, plan, options));
  auto area = scratch_area(layout);
  if (!area) return std::move(area).error();

  InstallReport report;
  const int target = 1 - s.active;
  report.slot = target;
  // Delivery: the patch when it starts from what is installed and fits the staging area.
  const std::string installed = image::to_string(s.active_image.version);
  if (!plan.patch) {
    report.delivery_reason = "no patch for the installed version " + installed;
  } else if (options.prefer_full) {
    report.delivery_reason = "full image requested";
  } else if (auto from = image::parse_version(plan.from_version); !from || image::compare(*from, s.active_image.version) != 0) {
    report.delivery_reason = "the patch starts from " + plan.from_version + ", the installed version is " + installed;
  } else if (!area->staging || area->staging->size < plan.patch->length) {
    report.delivery_reason = "the patch (" + std::to_string(plan.patch->length) + " bytes) does not fit the staging area (" +
                             std::to_string(area->staging ? area->staging->size : 0) + " bytes)";
  } else {
    report.delivery = Delivery::delta;
    report.delivery_reason = "patch from " + plan.from_version + ": " + std::to_string(plan.patch->length) +
                             " bytes instead of " + std::to_string(plan.image.length);
  }
  const Payload& payload = report.delivery == Delivery::delta ? *plan.patch : plan.image;
  report.payload_bytes = payload.length;

  // The journal: resume the same install, or start this one.
  Journal journal(flash, *area);
  auto previous = journal.load();
  if (!previous) return std::move(previous).error();
  JournalRecord record;
  record.delivery = report.delivery;
  record.slot = uint8_t(target);
  record.chunk_size = uint32_t(payload.chunk_size);
  record.payload_length = payload.length;
  record.target_sha256 = plan.image.sha256;
  record.payload_sha256 = payload.sha256;
  const auto& p = *previous;
  const bool same = p && p->target_sha256 == record.target_sha256 && p->payload_sha256 == record.payload_sha256 &&
                    p->slot == record.slot && p->delivery == record.delivery &&
                    (p->phase == JournalPhase::downloading || p->phase == JournalPhase::writing);
  const bool start_over = same && p->attempts >= options.max_attempts;  // U4: give up resuming
  record.attempts = same && !start_over ? uint16_t(p->attempts + 1) : 1;
  record.phase = same && !start_over ? p->phase
                                     : report.delivery == Delivery::delta ? JournalPhase::downloading : JournalPhase::writing;
  report.attempt = record.attempts;

  // The target slot stops being bootable before its first erase.
  image::BcrStore store(flash, layout);
  image::SlotRecord& entry = s.bcr.slot[size_t(target)];
  const uint32_t digest32 = load_le32(plan.slot_digest.data());
  if (entry.state != image::SlotState::installing || entry.digest32 != digest32 || entry.sec_cnt != plan.security_counter) {
    entry = {image::SlotState::installing, 0, 0, image::FailReason::none, plan.security_counter, digest32};
    s.bcr.op = image::BcrOp::install_started;
    auto seq = store.write(s.bcr);
    if (!seq) return std::move(seq).error().with_context("marking slot " + std::string(slot_name(target)) + " INSTALLING");
    report.steps.push_back("boot-control record seq " + std::to_string(*seq) + ": slot " + slot_name(target) + " INSTALLING");
  }
  if (auto w = journal.write(record); !w) return std::move(w).error().with_context("writing the install journal");
  report.steps.push_back(std::string(same && !start_over ? "resumed" : "started") + " install " +
                         std::to_string(record.attempts) + " of " + plan.target + " (" +
                         std::string(to_string(report.delivery)) + ") into slot " + slot_name(target));

  // Delta: the patch into the staging area, then the whole of it read back.
  Bytes patch;
  if (report.delivery == Delivery::delta) {
    const image::Region& staging = *area->staging;
    auto resume = resume_offset(flash, staging, payload, start_over);
    if (!resume) return std::move(resume).error();
    report.reused_bytes += *resume;
    if (*resume < payload.length) {
      OTA_TRY(erase_for_write(flash, staging, *resume, payload.length, false));
      OTA_TRY(download_into(flash, staging, payload, *resume, fetch, options, report));
    }
    auto staged = read_region(flash, staging.offset, payload.length);
    if (!staged) return std::move(staged).error();
    if (crypto::sha256(*staged) != payload.sha256)
      return Error{Errc::io, "the staged patch reads back different from what was written; the install will resume"};
    patch = std::move(*staged);
    report.steps.push_back("patch staged: " + std::to_string(payload.length) + " bytes, " +
                           std::to_string(payload.chunks.size()) + " chunks verified");
    record.phase = JournalPhase::writing;
    if (auto w = journal.write(record); !w) return std::move(w).error().with_context("writing the install journal");
  }

  // The slot, from the image chunks or the patch's output, every chunk checked first.
  const image::Region& slot = layout.slot(target);
  auto resume = resume_offset(flash, slot, plan.image, start_over);
  if (!resume) return std::move(resume).error();
  if (report.delivery == Delivery::full) report.reused_bytes += *resume;
  OTA_TRY(erase_for_write(flash, slot, *resume, plan.image.length, true));
  if (*resume < plan.image.length) {
    if (report.delivery == Delivery::full) {
      OTA_TRY(download_into(flash, slot, plan.image, *resume, fetch, options, report));
    } else {
      ChunkWriter writer(flash, slot, plan.image, *resume);
      auto applied = delta::apply_patch_bytes(s.active_bytes, patch, writer, delta::ApplyLimits{plan.image.length});
      if (!applied && applied.error().code == Errc::power_cut) return std::move(applied).error();
      if (!applied)
        return rejected("the " + plan.patch_algorithm + " patch from " + plan.from_version +
                        " does not produce the image: " + applied.error().message);
      OTA_TRY(writer.finish());
    }
  }
  report.steps.push_back("slot " + std::string(slot_name(target)) + " written: " + std::to_string(plan.image.length) +
                         " bytes" + (*resume ? " (" + std::to_string(*resume) + " kept from before)" : std::string()));

  // U6: the bootloader's own check on what is now in the slot.
  auto written = read_region(flash, slot.offset, slot.size);
  if (!written) return std::move(written).error();
  if (crypto::sha256(ByteView(*written).first(plan.image.length)) != plan.image.sha256)
    return Error{Errc::io, "slot " + std::string(slot_name(target)) + " reads back different from what was written; the install will resume"};
  const image::VerifyReport check =
      image::verify_image(*written, image::slot_policy(layout, s.trust, target, s.trust.rot.counter), slot.size);
  if (check.code != image::VerifyCode::ok || check.image->sha256 != plan.slot_digest) {
    // A signed, hash-correct download the bootloader would refuse (an untrusted key,
    // another slot's address...): keep it out of every boot decision, keep the evidence.
    entry = {image::SlotState::failed, 0, 0, image::FailReason::verify, plan.security_counter, digest32};
    s.bcr.op = image::BcrOp::mark_bad;
    OTA_TRY(store.write(s.bcr));
    return rejected("the written slot " + std::string(slot_name(target)) + " fails the bootloader's check (" +
                    (check.code != image::VerifyCode::ok ? std::string(to_string(check.code)) + ": " + check.message
                                                         : std::string("its digest is not the one the metadata lists")) +
                    "); slot marked FAILED");
  }
  report.steps.push_back("slot " + std::string(slot_name(target)) + " verified as the bootloader will (" +
                         std::to_string(check.trusted_signatures) + " trusted signature(s), SEC_CNT " +
                         std::to_string(check.image->security_counter) + ")");

  // U7: one write commits.
  entry = {image::SlotState::pending, 15, layout.boot.tries, image::FailReason::none, plan.security_counter, digest32};
  s.bcr.pending_slot = uint8_t(target);
  s.bcr.op = image::BcrOp::activate;
  auto seq = store.write(s.bcr);
  if (!seq) return std::move(seq).error().with_context("committing slot " + std::string(slot_name(target)));
  report.bcr_seq = *seq;
  report.steps.push_back("boot-control record seq " + std::to_string(*seq) + ": slot " + slot_name(target) + " PENDING, " +
                         std::to_string(layout.boot.tries) + " trial boots");
  record.phase = JournalPhase::committed;
  if (auto w = journal.write(record); !w) return std::move(w).error().with_context("writing the install journal");
  return report;
}

}  // namespace ota::agent
