#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace ota::crypto {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

// EVP failures here mean a broken OpenSSL installation or out of memory:
// there is no meaningful recovery, and continuing would produce a wrong digest.
static void check(int ok) {
  if (ok != 1) std::abort();
}

Sha256::Sha256() : state_(new State) {
  state_->ctx = EVP_MD_CTX_new();
  if (!state_->ctx) std::abort();
  check(EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::update(ByteView data) {
  if (!data.empty()) check(EVP_DigestUpdate(state_->ctx, data.data(), data.size()));
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(state_->ctx, out.data(), &len));
  return out;
}

Result<Bytes> digest_by_name(std::string_view algorithm, ByteView data) {
  const EVP_MD* md = algorithm == "sha224"   ? EVP_sha224()
                     : algorithm == "sha256" ? EVP_sha256()
                     : algorithm == "sha384" ? EVP_sha384()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : nullptr;
  if (!md) return Error{Errc::unsupported, "hash algorithm '" + std::string(algorithm) + "' is not one this client knows"};
  Bytes out(size_t(EVP_MD_get_size(md)));
  unsigned int len = 0;
  check(EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr));
  return out;
}

Sha256Digest sha256(ByteView data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

std::array<uint8_t, 20> sha1_for_uuid(ByteView data) {
  std::array<uint8_t, 20> out{};
  unsigned int len = 0;
  check(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr));
  return out;
}

}  // namespace ota::crypto
