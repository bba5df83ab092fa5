// A throwaway SoftHSM2 token per test suite, made by keys-example/softhsm-token.sh in a
// private directory (SOFTHSM2_CONF), removed afterwards. Fails the suite when SoftHSM2
// is missing: ci/deps.sh installs it, and a skipped HSM test would prove nothing.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ota::testing {

class SoftHsmToken : public ::testing::Test {
 public:
  static constexpr const char* kLabel = "ota-example";
  static constexpr const char* kPin = "246810";

  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/ota-pkcs11-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::string cmd = std::string("bash ") + OTA_KEYS_EXAMPLE + "/softhsm-token.sh " + dir_ + "/hsm >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "could not create a SoftHSM2 token: is softhsm2 installed?";
    setenv("SOFTHSM2_CONF", (dir_ + "/hsm/softhsm2.conf").c_str(), 1);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static std::string pin_file() { return dir_ + "/hsm/user.pin"; }
  // A key URI on the example token, with the PIN from the token's pin file.
  static std::string uri(const std::string& object) {
    return std::string("pkcs11:token=") + kLabel + ";object=" + object + "?pin-source=file:" + pin_file();
  }

 protected:
  static inline std::string dir_;
};

}  // namespace ota::testing
