#include "verify/e2e.h"

#include <map>

#include "boot/bootloader.h"

namespace ota::verify {
namespace {

std::string describe(const boot::BootResult& b) {
  if (!b.booted) return "RECOVERY: " + b.reason;
  std::string text = "slot " + boot::slot_name(*b.booted) + " " + image::to_string(b.image->version) + " (" +
                     std::string(boot::to_string(b.path));
  if (b.path == boot::BootPath::trial) text += " " + std::to_string(b.trial) + " of " + std::to_string(b.tries);
  return text + "): " + b.reason;
}

// A refresh repeated while the link fails it; a verification failure is final at once.
Result<void> refresh(client::Updater& updater, uint32_t retries, uint64_t& retried) {
  for (uint32_t attempt = 0;; ++attempt) {
    auto r = updater.refresh();
    if (r || attempt >= retries) return r;
    // A cut or corrupted answer fails like an attack would; only repetition tells them
    // apart, and the trusted state is never updated with unverified data meanwhile.
    ++retried;
  }
}

// Both repositories' updaters, refreshed from the device's trusted roots.
class Metadata {
 public:
  explicit Metadata(const E2eRequest& req)
      : req_(req),
        director_link_(*req.director, req.link_retries),
        image_link_(*req.images, req.link_retries),
        director_(director_link_, *req.storage, state("director"), req.now),
        images_(image_link_, *req.storage, state("images"), req.now) {}
  uint64_t retried() const { return director_link_.retried() + image_link_.retried(); }

  // Uptane: the director says what, the image repository vouches for it.
  Result<std::optional<agent::UpdatePlan>> plan(std::vector<E2eStep>& steps, uint64_t& retries) {
    if (req_.state_dir)
      for (const char* d : {"director", "images"})
        OTA_TRY(req_.storage->create_directories(*req_.state_dir / d));
    OTA_TRY(verify(director_, req_.director_root, "the director", steps, retries));
    OTA_TRY(verify(images_, req_.image_root, "the image repository", steps, retries));
    return agent::plan_update(director_, images_, req_.device);
  }
  client::Updater& images() { return images_; }

 private:
  std::optional<std::filesystem::path> state(const char* name) const {
    if (!req_.state_dir) return std::nullopt;
    return *req_.state_dir / name;
  }
  Result<void> verify(client::Updater& u, const Bytes& root, const char* what, std::vector<E2eStep>& steps,
                      uint64_t& retries) {
    if (auto s = u.start(root); !s) return std::move(s).error().with_context(what);
    if (auto r = refresh(u, req_.link_retries, retries); !r) return std::move(r).error().with_context(what);
    const auto v = u.versions();
    steps.push_back({"metadata", std::string(what) + " verified: root v" + std::to_string(v.root) + ", timestamp v" +
                                     std::to_string(v.timestamp) + ", snapshot v" + std::to_string(v.snapshot) +
                                     ", targets v" + std::to_string(v.targets)});
    return {};
  }
  const E2eRequest& req_;
  client::RetryingSource director_link_, image_link_;  // a dropped request is repeated
  client::Updater director_, images_;
};

// The run itself; every ending is recorded in `report`.
Result<void> drive(flash::Flash& flash, const image::Layout& layout, const E2eRequest& req, Metadata& metadata,
                   E2eReport& report) {
  auto step = [&](std::string name, std::string detail) { report.steps.push_back({std::move(name), std::move(detail)}); };
  auto power_on = [&]() -> Result<boot::BootResult> {
    ++report.power_cycles;
    auto b = boot::boot(flash, layout);
    if (!b) return std::move(b).error();
    step("boot", describe(*b));
    if (b->booted) {
      report.running_slot = *b->booted;
      report.running_version = image::to_string(b->image->version);
    }
    return b;
  };
  auto booted = power_on();
  if (!booted) return std::move(booted).error();
  if (!booted->booted) {
    report.final_state = "recovery";
    return {};
  }

  std::optional<agent::UpdatePlan> plan;
  {
    auto planned = metadata.plan(report.steps, report.retries);
    if (!planned) {
      step("metadata", "refused: " + planned.error().message);
      report.final_state = planned.error().code == Errc::io ? "gave-up" : "refused";
      return {};
    }
    plan = std::move(*planned);
  }
  if (!plan) {
    step("plan", "the director assigns nothing to ECU '" + req.device.ecu_serial + "'");
  } else {
    report.target = plan->target;
    report.image_bytes = plan->image.length;
    step("plan", "assigned " + plan->target + " " + plan->slot_version + " (SEC_CNT " +
                     std::to_string(plan->security_counter) + ")" +
                     (plan->patch ? ", with a " + plan->patch_algorithm + " patch from " + plan->from_version + " (" +
                                        std::to_string(plan->patch->length) + " bytes)"
                                  : std::string(", full image only")));
  }

  // Ranged downloads through the verified image repository.
  std::map<std::string, client::TargetInfo> found;
  agent::AgentConfig config;
  config.plan = plan ? &*plan : nullptr;
  config.health = req.health;
  config.install = req.install;
  config.fetch = [&](const agent::Payload& p, uint64_t offset, size_t length) -> Result<Bytes> {
    auto it = found.find(p.name);
    if (it == found.end()) {
      auto info = metadata.images().find_target(p.name);
      if (!info) return std::move(info).error();
      it = found.emplace(p.name, std::move(*info)).first;
    }
    return metadata.images().download_target_range(it->second, offset, length);
  };

  uint32_t link_failures = 0;
  while (report.power_cycles <= req.max_power_cycles) {
    auto run = agent::run_agent(flash, layout, *booted, config);
    if (!run) {
      if (run.error().code != Errc::io) return std::move(run).error();
      ++report.install_attempts;
      ++report.retries;
      step("install", "interrupted, will resume: " + run.error().message);
      if (++link_failures > req.link_retries) {
        report.final_state = "gave-up";
        return {};
      }
      continue;  // the same power cycle: the agent retries and resumes from the journal
    }
    if (run->install) {
      ++report.install_attempts;
      report.delivery = std::string(agent::to_string(run->install->delivery));
      report.payload_bytes = run->install->payload_bytes;
      report.downloaded_bytes += run->install->downloaded_bytes;
      report.retries += run->install->retries;
      step("install", run->install->delivery_reason);
      for (const auto& s : run->install->steps) step("install", s);
    }
    step(run->outcome == agent::AgentOutcome::installed ? "install" : "agent",
         std::string(agent::to_string(run->outcome)) + ": " + run->detail);
    switch (run->outcome) {
      case agent::AgentOutcome::installed:
      case agent::AgentOutcome::marked_bad:
      case agent::AgentOutcome::hung:
      case agent::AgentOutcome::confirmed: {  // reset: the next boot shows where it stands
        auto next = power_on();
        if (!next) return std::move(next).error();
        booted = std::move(next);
        if (!booted->booted) {
          report.final_state = "recovery";
          return {};
        }
        continue;
      }
      case agent::AgentOutcome::up_to_date: report.final_state = "updated"; break;
      case agent::AgentOutcome::rolled_back: report.final_state = "rolled-back"; break;
      case agent::AgentOutcome::refused: report.final_state = "refused"; break;
      case agent::AgentOutcome::nothing_assigned: report.final_state = "nothing-assigned"; break;
      case agent::AgentOutcome::recovery: report.final_state = "recovery"; break;
    }
    return {};
  }
  report.final_state = "gave-up";
  step("agent", "no settled state after " + std::to_string(req.max_power_cycles) + " power cycles");
  return {};
}

}  // namespace

Result<std::optional<FetchedUpdate>> fetch_update(const E2eRequest& req) {
  Metadata metadata(req);
  std::vector<E2eStep> steps;
  uint64_t retries = 0;
  auto plan = metadata.plan(steps, retries);
  if (!plan) return std::move(plan).error();
  if (!*plan) return std::optional<FetchedUpdate>();
  FetchedUpdate out{std::move(**plan), {}};
  for (const agent::Payload* p : {&out.plan.image, out.plan.patch ? &*out.plan.patch : nullptr}) {
    if (!p) continue;
    auto info = metadata.images().find_target(p->name);
    if (!info) return std::move(info).error();
    auto bytes = metadata.images().download_target(*info);
    if (!bytes) return std::move(bytes).error();
    out.files[p->name] = std::move(*bytes);
  }
  return std::optional<FetchedUpdate>(std::move(out));
}

Result<E2eReport> run_e2e(flash::Flash& flash, const image::Layout& layout, const E2eRequest& req) {
  E2eReport report;
  Metadata metadata(req);
  auto driven = drive(flash, layout, req, metadata, report);
  report.retries += metadata.retried();
  if (!driven) return std::move(driven).error();
  return report;
}

Result<Subject> release_subject(const image::Layout& layout, const Bytes& flash_bytes, FetchedUpdate update) {
  auto mem = flash::MemFlash::from_image(layout.geometry, flash_bytes);
  if (!mem) return std::move(mem).error();
  flash::MemFlash probe = *mem;
  auto booted = boot::boot(probe, layout);
  if (!booted) return std::move(booted).error();
  if (!booted->booted || booted->path != boot::BootPath::normal)
    return Error{Errc::invalid_argument, "the flash image does not boot a confirmed slot normally (" +
                                             std::string(boot::to_string(booted->path)) + "): " + booted->reason};
  Subject s{layout.device, layout, std::move(*mem), std::move(update.plan), std::move(update.files), booted->image->sha256};
  return s;
}

}  // namespace ota::verify
