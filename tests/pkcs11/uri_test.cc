#include <gtest/gtest.h>

#include "core/hex.h"
#include "pkcs11/objects.h"
#include "pkcs11/uri.h"

namespace ota::pkcs11 {
namespace {

TEST(Uri, ParsesTokenObjectIdAndPinAttributes) {
  auto u = parse_uri("pkcs11:token=fleet%20root;serial=A1B2;object=root-1;id=%01%ff;type=private"
                     "?pin-source=file:/run/secrets/pin&module-path=/usr/lib/softhsm/libsofthsm2.so");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(*u->token_label, "fleet root");
  EXPECT_EQ(*u->token_serial, "A1B2");
  EXPECT_EQ(*u->object_label, "root-1");
  EXPECT_EQ(to_hex(*u->object_id), "01ff");
  EXPECT_EQ(*u->object_type, "private");
  EXPECT_EQ(*u->pin_source, "file:/run/secrets/pin");
  EXPECT_EQ(*u->module_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_FALSE(u->pin_value);
  EXPECT_FALSE(u->token_model);
}

TEST(Uri, PinValueIsKeptButNeverDisplayed) {
  auto u = parse_uri("pkcs11:token=t;object=k?pin-value=123456");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->pin_value->reveal(), "123456");
  EXPECT_EQ(u->display, "pkcs11:token=t;object=k?pin-value=***");
  EXPECT_EQ(redact_uri("pkcs11:token=t?pin-value=1&module-name=x"), "pkcs11:token=t?pin-value=***&module-name=x");
}

TEST(Uri, MalformedUrisAreRejectedWithTheReason) {
  for (const char* bad : {"pkcs12:token=x", "pkcs11:token=%zz", "token=x"}) {
    auto u = parse_uri(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, Errc::invalid_argument);
    EXPECT_EQ(u.error().message.rfind("bad PKCS#11 URI '", 0), 0u) << u.error().message;
  }
}

// `prefix` (the DER OCTET STRING header) followed by `body`.
Bytes concat(std::initializer_list<uint8_t> prefix, const Bytes& body) {
  Bytes out(prefix.size() + body.size());
  std::copy(prefix.begin(), prefix.end(), out.begin());
  std::copy(body.begin(), body.end(), out.begin() + long(prefix.size()));
  return out;
}

TEST(EcPoint, AcceptsThePointWithAndWithoutItsOctetStringWrapper) {
  Bytes point(65, 0xab);
  point[0] = 0x04;
  EXPECT_EQ(unwrap_ec_point(concat({0x04, 0x41}, point), 65), point);
  EXPECT_EQ(unwrap_ec_point(point, 65), point);
  Bytes ed(32, 0x04);
  EXPECT_EQ(unwrap_ec_point(concat({0x04, 0x20}, ed), 32), ed);
  EXPECT_EQ(unwrap_ec_point(ed, 32), ed);
}

}  // namespace
}  // namespace ota::pkcs11
