// ota-bench-sign: in-process signing throughput of one key, through the same
// ota::signer::Signer that ota-sign uses (bench/sign.sh runs it; bench/README.md).
//
//   ota-bench-sign --key REF --backend NAME [--module PATH] [--bytes N]... [--seconds S]
//                  [--min-signatures N]
//
// Opens the key once (module load and login are not timed), then for each message
// size signs the same random message back to back until at least S seconds
// (default 1) have passed and at least N signatures (default 20) were made.
// Signer::sign() checks every signature against the public key in software, so
// the rate includes that verification; "verify_per_second" is that check alone,
// timed separately, so the token's share can be worked out.
// Prints one JSON object per line per message size on stdout:
//   {"algorithm","backend","message_bytes","signatures","seconds","per_second",
//    "verify_per_second","open_seconds"}
// The PIN comes from the key reference (pin-source=file:...) or OTA_PKCS11_PIN.
// Exit status: 0 ok, 1 a signature failed, 2 usage.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/rand.h>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/keys.h"
#include "io/posix_storage.h"
#include "signer/signer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int usage(const char* why) {
  std::fprintf(stderr,
               "ota-bench-sign: %s\n"
               "usage: ota-bench-sign --key REF --backend NAME [--module PATH] [--bytes N]...\n"
               "                      [--seconds S] [--min-signatures N]\n",
               why);
  return 2;
}

bool parse_ulong(const char* text, unsigned long& out) {
  if (!text || !*text) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoul(text, &end, 10);
  return errno == 0 && end && *end == '\0' && text[0] != '-';
}

// A JSON string for the few values printed here (backend names, algorithm names).
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::string key, backend;
  std::optional<std::string> module;
  std::vector<unsigned long> sizes;
  double min_seconds = 1.0;
  unsigned long min_signatures = 20;

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") {
      usage("signing throughput of one key (see bench/README.md)");
      return 0;
    }
    if (!value) return usage(("missing value after " + std::string(arg)).c_str());
    ++i;
    if (arg == "--key") {
      key = value;
    } else if (arg == "--backend") {
      backend = value;
    } else if (arg == "--module") {
      module = value;
    } else if (arg == "--bytes") {
      unsigned long n = 0;
      if (!parse_ulong(value, n) || n == 0 || n > (1ul << 30)) return usage("--bytes takes 1..2^30");
      sizes.push_back(n);
    } else if (arg == "--seconds") {
      char* end = nullptr;
      min_seconds = std::strtod(value, &end);
      if (!end || *end != '\0' || !(min_seconds > 0 && min_seconds < 3600))
        return usage("--seconds takes a number of seconds > 0");
    } else if (arg == "--min-signatures") {
      if (!parse_ulong(value, min_signatures) || min_signatures == 0)
        return usage("--min-signatures takes a positive integer");
    } else {
      return usage(("unknown option " + std::string(arg)).c_str());
    }
  }
  if (key.empty() || backend.empty()) return usage("--key and --backend are required");
  if (sizes.empty()) sizes = {1024, 1024 * 1024};

  ota::io::PosixStorage fs;
  ota::signer::OpenOptions options;
  options.module_path = module;
  // No prompt: the PIN comes from the URI's pin-source, or OTA_PKCS11_PIN.
  options.pin = [](const ota::pkcs11::TokenInfo& token) -> ota::Result<ota::Secret> {
    if (const char* p = std::getenv("OTA_PKCS11_PIN"); p && *p) return ota::Secret(p);
    return ota::Error{ota::Errc::invalid_argument,
                      "no PIN for token '" + token.label +
                          "': add ?pin-source=file:PATH to the key reference or set OTA_PKCS11_PIN"};
  };

  const auto open_start = Clock::now();
  auto signer = ota::signer::open_signer(fs, key, options);
  const double open_seconds = seconds_since(open_start);
  if (!signer) {
    std::fprintf(stderr, "ota-bench-sign: %s\n", signer.error().message.c_str());
    return 1;
  }
  ota::signer::Signer& s = **signer;
  const std::string algorithm(ota::crypto::to_string(s.algorithm()));

  for (unsigned long size : sizes) {
    ota::Bytes message(size);
    if (RAND_bytes(message.data(), int(message.size())) != 1) {
      std::fprintf(stderr, "ota-bench-sign: no randomness for the message\n");
      return 1;
    }
    // One untimed signature: first-use costs (lazy tables, page faults) stay out.
    auto first = s.sign(message);
    if (!first) {
      std::fprintf(stderr, "ota-bench-sign: %s\n", first.error().message.c_str());
      return 1;
    }

    unsigned long count = 0;
    size_t checksum = 0;  // keeps the signatures observably used
    const auto start = Clock::now();
    double elapsed = 0;
    do {
      auto sig = s.sign(message);
      if (!sig) {
        std::fprintf(stderr, "ota-bench-sign: %s\n", sig.error().message.c_str());
        return 1;
      }
      checksum += sig->size();
      ++count;
      elapsed = seconds_since(start);
    } while (elapsed < min_seconds || count < min_signatures);

    // The software check alone, over the same message and a real signature, for a
    // quarter of the time budget (at least min_signatures / 2 checks).
    unsigned long vcount = 0;
    const auto vstart = Clock::now();
    double velapsed = 0;
    do {
      if (auto ok = s.public_key().verify(message, *first); !ok) {
        std::fprintf(stderr, "ota-bench-sign: verification failed: %s\n", ok.error().message.c_str());
        return 1;
      }
      ++vcount;
      velapsed = seconds_since(vstart);
    } while (velapsed < min_seconds / 4 || vcount < (min_signatures + 1) / 2);

    if (checksum == 0) return 1;
    std::printf(
        "{\"algorithm\":%s,\"backend\":%s,\"message_bytes\":%lu,\"signatures\":%lu,"
        "\"seconds\":%.6f,\"per_second\":%.2f,\"verify_per_second\":%.2f,\"open_seconds\":%.6f}\n",
        json_string(algorithm).c_str(), json_string(backend).c_str(), size, count, elapsed,
        double(count) / elapsed, double(vcount) / velapsed, open_seconds);
    std::fflush(stdout);
  }
  return 0;
}
