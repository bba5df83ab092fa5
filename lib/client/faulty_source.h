// A bad link between a device and its repositories, for the emulator and tests (issue 7
// §3): wraps a Source and, per request, seeded and reproducibly, drops the connection,
// stalls it until the client times out, corrupts a byte, or cuts the answer short.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/updater.h"

namespace ota::client {

struct FaultSpec {
  uint64_t seed = 0;
  double drop = 0, stall = 0, corrupt = 0, truncate = 0;  // probability per request, each
  std::optional<uint64_t> max_faults;                     // stop injecting after this many
  bool any() const { return drop > 0 || stall > 0 || corrupt > 0 || truncate > 0; }
};

// "seed=7,drop=0.1,stall=0.05,corrupt=0.05,truncate=0.1,max=20": any subset, any order;
// "none" for a good link. Errc::invalid_argument naming the bad item.
Result<FaultSpec> parse_fault_spec(std::string_view text);
std::string to_string(const FaultSpec& spec);

struct FaultStats {
  uint64_t requests = 0, drops = 0, stalls = 0, corruptions = 0, truncations = 0;
  uint64_t faults() const { return drops + stalls + corruptions + truncations; }
};

class FaultySource final : public Source {
 public:
  FaultySource(Source& inner, FaultSpec spec) : inner_(inner), spec_(spec), rng_(spec.seed) {}
  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;
  // One draw per call. A drop hands the sink a seeded prefix of the answer, then fails
  // with Errc::io; a truncate hands over a seeded prefix and succeeds; corrupt flips one
  // byte; a stall fails with Errc::io before any byte. To cut at a seeded point, a faulty
  // call reads the inner answer whole first; a good one streams through.
  Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                             const ByteSink& sink) override;
  const FaultStats& stats() const { return stats_; }

 private:
  enum class Fault { none, drop, stall, corrupt, truncate };
  Fault draw();
  Result<Bytes> deliver(Fault fault, Result<Bytes> answer, const std::string& what);
  Source& inner_;
  FaultSpec spec_;
  uint64_t rng_;
  FaultStats stats_;
};

// Repeats a request the link failed (Errc::io: a dropped or stalled connection) up to
// `retries` times, as a device's HTTP client does; anything else passes through at once
// (a corrupted answer is for the verifier to catch, and a refresh to repeat).
class RetryingSource final : public Source {
 public:
  RetryingSource(Source& inner, uint32_t retries) : inner_(inner), retries_(retries) {}
  Result<Bytes> fetch_metadata(const std::string& name, size_t max_bytes) override;
  Result<Bytes> fetch_target(const std::string& path, size_t max_bytes) override;
  Result<Bytes> fetch_target_range(const std::string& path, uint64_t offset, size_t length) override;
  // Resumes after Errc::io from offset + the bytes the sink already took, with what is
  // left of max_bytes; an error from the sink itself is returned at once.
  Result<void> stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                             const ByteSink& sink) override;
  uint64_t retried() const { return retried_; }

 private:
  template <class Fetch>
  Result<Bytes> again(Fetch fetch);
  Source& inner_;
  uint32_t retries_;
  uint64_t retried_ = 0;
};

}  // namespace ota::client
