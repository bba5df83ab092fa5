// SHA-256 through OpenSSL 3's EVP interface (FIPS-validated provider where configured).
#pragma once

#include <array>
#include <memory>

#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hashing for data that is streamed (patch output).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(ByteView data);
  Sha256Digest finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Sha256Digest sha256(ByteView data);

// A digest by its TUF/securesystemslib name: "sha224", "sha256", "sha384", "sha512"
// (what python-tuf and tuf-js verify with). Errc::unsupported for any
// other name, so metadata listing an unknown algorithm is refused, not skipped.
Result<Bytes> digest_by_name(std::string_view algorithm, ByteView data);

// SHA-1, only for name-based UUIDs (RFC 4122 version 5, as MCUboot's UUID TLVs use);
// never for anything an attacker could exploit a collision in.
std::array<uint8_t, 20> sha1_for_uuid(ByteView data);

}  // namespace ota::crypto
