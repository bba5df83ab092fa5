#include "client/faulty_source.h"

#include <charconv>
#include <cstdio>

#include "core/splitmix64.h"

namespace ota::client {
namespace {

Error bad(std::string_view item, std::string_view why) {
  return Error{Errc::invalid_argument,
               "--faults item '" + std::string(item) + "' " + std::string(why) +
                   "; use seed=N,drop=P,stall=P,corrupt=P,truncate=P,max=N (P in 0..1) or none"};
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

Result<FaultSpec> parse_fault_spec(std::string_view text) {
  FaultSpec spec;
  if (text == "none" || text.empty()) return spec;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return bad(item, "has no '='");
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "seed" || key == "max") {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) return bad(item, "is not a whole number");
      if (key == "seed") spec.seed = n;
      else spec.max_faults = n;
      continue;
    }
    double* field = key == "drop" ? &spec.drop : key == "stall" ? &spec.stall : key == "corrupt" ? &spec.corrupt
                  : key == "truncate" ? &spec.truncate : nullptr;
    if (!field) return bad(item, "names no fault");
    const std::string v(value);
    char* end = nullptr;
    const double p = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !(p >= 0 && p <= 1)) return bad(item, "is not a probability");
    *field = p;
  }
  if (spec.drop + spec.stall + spec.corrupt + spec.truncate > 1)
    return Error{Errc::invalid_argument, "--faults probabilities add up to more than 1"};
  return spec;
}

std::string to_string(const FaultSpec& s) {
  if (!s.any()) return "none";
  std::string out = "seed=" + std::to_string(s.seed);
  for (auto [name, p] : {std::pair{"drop", s.drop}, {"stall", s.stall}, {"corrupt", s.corrupt}, {"truncate", s.truncate}})
    if (p > 0) out += std::string(",") + name + "=" + number(p);
  if (s.max_faults) out += ",max=" + std::to_string(*s.max_faults);
  return out;
}

FaultySource::Fault FaultySource::draw() {
  ++stats_.requests;
  const double u = splitmix64_unit(rng_);
  if (spec_.max_faults && stats_.faults() >= *spec_.max_faults) return Fault::none;
  double edge = spec_.drop;
  if (u < edge) return Fault::drop;
  if (u < (edge += spec_.stall)) return Fault::stall;
  if (u < (edge += spec_.corrupt)) return Fault::corrupt;
  if (u < (edge += spec_.truncate)) return Fault::truncate;
  return Fault::none;
}

Result<Bytes> FaultySource::deliver(Fault fault, Result<Bytes> answer, const std::string& what) {
  switch (fault) {
    case Fault::none: return answer;
    case Fault::drop:
      ++stats_.drops;
      return Error{Errc::io, what + ": connection reset by peer (injected)"};
    case Fault::stall:
      ++stats_.stalls;
      return Error{Errc::io, what + ": the transfer stalled and timed out (injected)"};
    case Fault::corrupt:
      if (!answer || answer->empty()) return answer;
      ++stats_.corruptions;
      (*answer)[splitmix64(rng_) % answer->size()] ^= uint8_t(1 + splitmix64(rng_) % 255);
      return answer;
    case Fault::truncate:
      if (!answer || answer->empty()) return answer;
      ++stats_.truncations;
      answer->resize(splitmix64(rng_) % answer->size());
      return answer;
  }
  return answer;
}

Result<Bytes> FaultySource::fetch_metadata(const std::string& name, size_t max_bytes) {
  const Fault f = draw();
  if (f == Fault::drop || f == Fault::stall) return deliver(f, Bytes{}, "'" + name + "'");
  return deliver(f, inner_.fetch_metadata(name, max_bytes), "'" + name + "'");
}

Result<Bytes> FaultySource::fetch_target(const std::string& path, size_t max_bytes) {
  const Fault f = draw();
  if (f == Fault::drop || f == Fault::stall) return deliver(f, Bytes{}, "'" + path + "'");
  return deliver(f, inner_.fetch_target(path, max_bytes), "'" + path + "'");
}

Result<Bytes> FaultySource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  const Fault f = draw();
  if (f == Fault::drop || f == Fault::stall) return deliver(f, Bytes{}, "'" + path + "'");
  return deliver(f, inner_.fetch_target_range(path, offset, length), "'" + path + "'");
}

Result<void> FaultySource::stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                                         const ByteSink& sink) {
  const Fault f = draw();
  const std::string what = "'" + path + "'";
  if (f == Fault::none) return inner_.stream_target(path, offset, max_bytes, sink);
  if (f == Fault::stall) {
    ++stats_.stalls;
    return Error{Errc::io, what + ": the transfer stalled and timed out (injected)"};
  }
  Bytes answer;
  auto got = inner_.stream_target(path, offset, max_bytes, [&](ByteView b) -> Result<void> {
    answer.insert(answer.end(), b.begin(), b.end());
    return {};
  });
  if (f == Fault::drop) {
    ++stats_.drops;
    const size_t n = answer.empty() ? 0 : size_t(splitmix64(rng_) % answer.size());
    if (n > 0) OTA_TRY(sink(ByteView(answer.data(), n)));
    return Error{Errc::io, what + ": connection reset by peer after " + std::to_string(offset + n) + " bytes (injected)"};
  }
  if (got && !answer.empty()) {
    if (f == Fault::corrupt) {
      ++stats_.corruptions;
      answer[splitmix64(rng_) % answer.size()] ^= uint8_t(1 + splitmix64(rng_) % 255);
    } else {
      ++stats_.truncations;
      answer.resize(splitmix64(rng_) % answer.size());
    }
  }
  if (!answer.empty()) OTA_TRY(sink(answer));
  return got;
}

template <class Fetch>
Result<Bytes> RetryingSource::again(Fetch fetch) {
  for (uint32_t attempt = 0;; ++attempt) {
    auto r = fetch();
    if (r || r.error().code != Errc::io || attempt >= retries_) return r;
    ++retried_;
  }
}

Result<Bytes> RetryingSource::fetch_metadata(const std::string& name, size_t max_bytes) {
  return again([&] { return inner_.fetch_metadata(name, max_bytes); });
}

Result<Bytes> RetryingSource::fetch_target(const std::string& path, size_t max_bytes) {
  return again([&] { return inner_.fetch_target(path, max_bytes); });
}

Result<Bytes> RetryingSource::fetch_target_range(const std::string& path, uint64_t offset, size_t length) {
  return again([&] { return inner_.fetch_target_range(path, offset, length); });
}

Result<void> RetryingSource::stream_target(const std::string& path, uint64_t offset, uint64_t max_bytes,
                                           const ByteSink& sink) {
  uint64_t delivered = 0;
  bool sink_failed = false;
  const ByteSink counting = [&](ByteView b) -> Result<void> {
    auto r = sink(b);
    if (!r) sink_failed = true;
    else delivered += b.size();
    return r;
  };
  for (uint32_t attempt = 0;; ++attempt) {
    auto r = inner_.stream_target(path, offset + delivered, max_bytes - delivered, counting);
    if (r || sink_failed || r.error().code != Errc::io || attempt >= retries_) return r;
    ++retried_;
  }
}

}  // namespace ota::client
