// Shared by the pkcs11/ sources only: the PKCS#11 types stay out of public headers.
#pragma once

#include <p11-kit/pkcs11.h>

#include <string>
#include <vector>

#include "pkcs11/token.h"

namespace ota::pkcs11 {

struct Token::Impl {
  std::vector<CK_FUNCTION_LIST*> modules;  // loaded by us, released in ~Impl
  bool registered = false;                 // modules came from p11_kit_modules_load*
  CK_FUNCTION_LIST* fn = nullptr;          // the module holding the token
  CK_SLOT_ID slot = 0;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  bool logged_in = false;
  TokenInfo info;
  std::string uri_display;

  ~Impl();
  Error error(const std::string& what, CK_RV rv) const;
  Result<void> refresh_info();
};

TokenInfo token_info_from(const CK_TOKEN_INFO& raw, const std::string& module);

}  // namespace ota::pkcs11
