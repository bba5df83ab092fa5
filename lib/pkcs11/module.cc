// Loading modules through p11-kit and choosing the one token a URI names.
#include <p11-kit/p11-kit.h>
#include <sys/stat.h>

#include <cstdlib>
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "pkcs11/internal.h"

namespace ota::pkcs11 {
namespace {

std::string trimmed(const unsigned char* field, size_t size) {
  size_t len = size;
  while (len > 0 && (field[len - 1] == ' ' || field[len - 1] == 0)) --len;
  return std::string(reinterpret_cast<const char*>(field), len);
}

std::string module_name(CK_FUNCTION_LIST* fn) {
  char* name = p11_kit_module_get_filename(fn);
  if (!name) name = p11_kit_module_get_name(fn);
  std::string out = name ? name : "?";
  free(name);
  return out;
}

bool matches(const Uri& uri, const TokenInfo& info) {
  return (!uri.token_label || *uri.token_label == info.label) &&
         (!uri.token_serial || *uri.token_serial == info.serial) &&
         (!uri.token_manufacturer || *uri.token_manufacturer == info.manufacturer) &&
         (!uri.token_model || *uri.token_model == info.model);
}

Result<std::vector<CK_FUNCTION_LIST*>> load_modules(const Uri& uri, const OpenOptions& options,
                                                    bool& registered) {
  std::optional<std::string> path = options.module_path ? options.module_path : uri.module_path;
  if (path) {
    struct stat st;
    if (::stat(path->c_str(), &st) != 0)
      return Error{Errc::hsm, "PKCS#11 module '" + *path + "' does not exist"};
    CK_FUNCTION_LIST* fn = p11_kit_module_load(path->c_str(), 0);
    if (!fn) {
      const char* why = p11_kit_message();
      return Error{Errc::hsm, "cannot load PKCS#11 module '" + *path + "': " +
                                  (why ? why : "not a PKCS#11 module")};
    }
    CK_RV rv = p11_kit_module_initialize(fn);
    if (rv != CKR_OK) {
      p11_kit_module_release(fn);
      return Error{Errc::hsm, "PKCS#11 module '" + *path + "' failed to initialise: " + ckr_name(rv)};
    }
    registered = false;
    return std::vector<CK_FUNCTION_LIST*>{fn};
  }
  // Load every registered module, but initialise only those the URI's module-name=
  // keeps: initialising a module (a smart-card stack, the trust store) is the slow part.
  CK_FUNCTION_LIST** all = p11_kit_modules_load(nullptr, 0);
  if (!all) {
    const char* why = p11_kit_message();
    return Error{Errc::hsm, std::string("cannot load the PKCS#11 modules registered with p11-kit: ") +
                                (why ? why : "unknown error") + "; give one with --module PATH"};
  }
  std::vector<CK_FUNCTION_LIST*> out;
  for (CK_FUNCTION_LIST** m = all; *m; ++m) {
    bool keep = true;
    if (uri.module_name) {
      char* name = p11_kit_module_get_name(*m);
      keep = name && *uri.module_name == name;
      free(name);
    }
    // A registered module that fails to initialise is skipped, as p11-kit itself does
    // for modules not marked critical; the token search then reports what it saw.
    if (keep && p11_kit_module_initialize(*m) == CKR_OK)
      out.push_back(*m);
    else
      p11_kit_module_release(*m);
  }
  free(all);  // the array is ours; the kept modules are finalised and released in ~Impl
  registered = true;
  if (out.empty())
    return Error{Errc::hsm, uri.module_name
                                ? "no PKCS#11 module named '" + *uri.module_name + "' is registered with p11-kit"
                                : std::string("no PKCS#11 module is registered with p11-kit; give one with --module PATH")};
  return out;
}

}  // namespace

std::string ckr_name(unsigned long rv) {
  switch (rv) {
#define OTA_CKR(name) case name: return #name;
    OTA_CKR(CKR_OK) OTA_CKR(CKR_CANCEL) OTA_CKR(CKR_HOST_MEMORY) OTA_CKR(CKR_SLOT_ID_INVALID)
    OTA_CKR(CKR_GENERAL_ERROR) OTA_CKR(CKR_FUNCTION_FAILED) OTA_CKR(CKR_ARGUMENTS_BAD)
    OTA_CKR(CKR_ATTRIBUTE_READ_ONLY) OTA_CKR(CKR_ATTRIBUTE_SENSITIVE)
    OTA_CKR(CKR_ATTRIBUTE_TYPE_INVALID) OTA_CKR(CKR_ATTRIBUTE_VALUE_INVALID)
    OTA_CKR(CKR_DATA_INVALID) OTA_CKR(CKR_DATA_LEN_RANGE) OTA_CKR(CKR_DEVICE_ERROR)
    OTA_CKR(CKR_DEVICE_MEMORY) OTA_CKR(CKR_DEVICE_REMOVED) OTA_CKR(CKR_FUNCTION_CANCELED)
    OTA_CKR(CKR_FUNCTION_NOT_SUPPORTED) OTA_CKR(CKR_KEY_HANDLE_INVALID)
    OTA_CKR(CKR_KEY_SIZE_RANGE) OTA_CKR(CKR_KEY_TYPE_INCONSISTENT)
    OTA_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED) OTA_CKR(CKR_MECHANISM_INVALID)
    OTA_CKR(CKR_MECHANISM_PARAM_INVALID) OTA_CKR(CKR_OBJECT_HANDLE_INVALID)
    OTA_CKR(CKR_OPERATION_ACTIVE) OTA_CKR(CKR_OPERATION_NOT_INITIALIZED)
    OTA_CKR(CKR_PIN_INCORRECT) OTA_CKR(CKR_PIN_INVALID) OTA_CKR(CKR_PIN_LEN_RANGE)
    OTA_CKR(CKR_PIN_EXPIRED) OTA_CKR(CKR_PIN_LOCKED) OTA_CKR(CKR_SESSION_CLOSED)
    OTA_CKR(CKR_SESSION_COUNT) OTA_CKR(CKR_SESSION_HANDLE_INVALID)
    OTA_CKR(CKR_SESSION_READ_ONLY) OTA_CKR(CKR_TEMPLATE_INCOMPLETE)
    OTA_CKR(CKR_TEMPLATE_INCONSISTENT) OTA_CKR(CKR_TOKEN_NOT_PRESENT)
    OTA_CKR(CKR_TOKEN_NOT_RECOGNIZED) OTA_CKR(CKR_TOKEN_WRITE_PROTECTED)
    OTA_CKR(CKR_USER_ALREADY_LOGGED_IN) OTA_CKR(CKR_USER_NOT_LOGGED_IN)
    OTA_CKR(CKR_USER_PIN_NOT_INITIALIZED) OTA_CKR(CKR_USER_TYPE_INVALID)
    OTA_CKR(CKR_BUFFER_TOO_SMALL) OTA_CKR(CKR_CRYPTOKI_NOT_INITIALIZED)
    OTA_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED) OTA_CKR(CKR_CURVE_NOT_SUPPORTED)
    OTA_CKR(CKR_DOMAIN_PARAMS_INVALID)
#undef OTA_CKR
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR_0x%lx", rv);
  return buf;
}

TokenInfo token_info_from(const CK_TOKEN_INFO& raw, const std::string& module) {
  TokenInfo info;
  info.label = trimmed(raw.label, sizeof raw.label);
  info.serial = trimmed(raw.serialNumber, sizeof raw.serialNumber);
  info.manufacturer = trimmed(raw.manufacturerID, sizeof raw.manufacturerID);
  info.model = trimmed(raw.model, sizeof raw.model);
  info.module = module;
  info.login_required = raw.flags & CKF_LOGIN_REQUIRED;
  info.protected_auth_path = raw.flags & CKF_PROTECTED_AUTHENTICATION_PATH;
  info.pin_count_low = raw.flags & CKF_USER_PIN_COUNT_LOW;
  info.pin_final_try = raw.flags & CKF_USER_PIN_FINAL_TRY;
  info.pin_locked = raw.flags & CKF_USER_PIN_LOCKED;
  return info;
}

Token::Impl::~Impl() {
  if (fn && session != CK_INVALID_HANDLE) {
    if (logged_in) fn->C_Logout(session);
    fn->C_CloseSession(session);
  }
  for (auto* m : modules) {
    p11_kit_module_finalize(m);
    p11_kit_module_release(m);
  }
}

Error Token::Impl::error(const std::string& what, CK_RV rv) const {
  return Error{Errc::hsm, what + " on token '" + info.label + "': " + ckr_name(rv)};
}

Result<void> Token::Impl::refresh_info() {
  CK_TOKEN_INFO raw;
  CK_RV rv = fn->C_GetTokenInfo(slot, &raw);
  if (rv != CKR_OK) return error("reading the token information", rv);
  info = token_info_from(raw, info.module);
  return {};
}

Token::Token(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Token::~Token() = default;
const TokenInfo& Token::info() const { return impl_->info; }

Result<std::unique_ptr<Token>> Token::open(const Uri& uri, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->uri_display = uri.display;
  auto modules = load_modules(uri, options, impl->registered);
  if (!modules) return std::move(modules).error();
  impl->modules = *modules;

  struct Candidate { CK_FUNCTION_LIST* fn; CK_SLOT_ID slot; TokenInfo info; };
  std::vector<Candidate> seen, chosen;
  for (CK_FUNCTION_LIST* fn : impl->modules) {
    std::string name = module_name(fn);
    CK_ULONG count = 0;
    if (fn->C_GetSlotList(CK_TRUE, nullptr, &count) != CKR_OK || count == 0) continue;
    std::vector<CK_SLOT_ID> slots(count);
    if (fn->C_GetSlotList(CK_TRUE, slots.data(), &count) != CKR_OK) continue;
    slots.resize(count);
    for (CK_SLOT_ID slot : slots) {
      CK_TOKEN_INFO raw;
      // An uninitialised token (SoftHSM2's spare slot) holds no keys: not a candidate.
      if (fn->C_GetTokenInfo(slot, &raw) != CKR_OK || !(raw.flags & CKF_TOKEN_INITIALIZED)) continue;
      Candidate c{fn, slot, token_info_from(raw, name)};
      seen.push_back(c);
      if (matches(uri, c.info)) chosen.push_back(c);
    }
  }
  if (chosen.size() != 1) {
    std::string list;
    for (const auto& c : seen) {
      if (!list.empty()) list += ", ";
      list += "'" + c.info.label + "' (serial " + c.info.serial + ")";
    }
    if (chosen.empty())
      return Error{Errc::hsm, "no token matches '" + uri.display + "'" +
                                  (seen.empty() ? std::string("; the module shows no token")
                                                : "; tokens present: " + list)};
    return Error{Errc::hsm, std::to_string(chosen.size()) + " tokens match '" + uri.display +
                                "': name one with token= and serial= (present: " + list + ")"};
  }
  impl->fn = chosen[0].fn;
  impl->slot = chosen[0].slot;
  impl->info = chosen[0].info;
  CK_RV rv = impl->fn->C_OpenSession(impl->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                     nullptr, &impl->session);
  if (rv == CKR_TOKEN_WRITE_PROTECTED)
    rv = impl->fn->C_OpenSession(impl->slot, CKF_SERIAL_SESSION, nullptr, nullptr, &impl->session);
  if (rv != CKR_OK) {
    impl->session = CK_INVALID_HANDLE;
    return impl->error("opening a session", rv);
  }
  return std::unique_ptr<Token>(new Token(std::move(impl)));
}

}  // namespace ota::pkcs11
