#include <gtest/gtest.h>

#include <string>

#include "core/hex.h"
#include "crypto/sha256.h"

namespace ota::crypto {
namespace {

ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// FIPS 180-4 example "abc" digests (NIST CSRC examples; also Python hashlib).
TEST(DigestByName, MatchesTheFipsVectorsForAbc) {
  const std::pair<const char*, const char*> vectors[] = {
      {"sha224", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
      {"sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"sha384",
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
      {"sha512",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
  };
  for (const auto& [name, hex] : vectors) {
    auto d = digest_by_name(name, view("abc"));
    ASSERT_TRUE(d) << name;
    EXPECT_EQ(to_hex(*d), hex) << name;
  }
}

TEST(DigestByName, AgreesWithSha256) {
  const std::string data(1000, 'x');
  auto d = digest_by_name("sha256", view(data));
  ASSERT_TRUE(d);
  auto direct = sha256(view(data));
  EXPECT_EQ(*d, Bytes(direct.begin(), direct.end()));
}

TEST(DigestByName, RefusesUnknownNamesAsUnsupported) {
  for (const char* name : {"md5", "sha1", "SHA256", "sha3-256", "blake2b", ""}) {
    auto d = digest_by_name(name, view("abc"));
    ASSERT_FALSE(d) << name;
    EXPECT_EQ(d.error().code, Errc::unsupported) << name;
  }
}

}  // namespace
}  // namespace ota::crypto
