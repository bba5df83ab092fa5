// Login and object lookup on an open token session.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pkcs11/internal.h"
#include "pkcs11/objects.h"

namespace ota::pkcs11 {
namespace {

// RFC 7512 pin-source: "file:PATH" or a bare path. One trailing newline is dropped.
Result<Secret> read_pin_source(const std::string& source) {
  std::string path = source.rfind("file:", 0) == 0 ? source.substr(5) : source;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error{Errc::io, "cannot read the PIN from pin-source '" + path + "': " + std::strerror(errno)};
  std::string buf(256, '\0');
  ssize_t n = ::read(fd, buf.data(), buf.size());
  int saved = errno;
  ::close(fd);
  Secret pin;
  if (n < 0) {
    Secret wipe(std::move(buf));
    return Error{Errc::io, "cannot read the PIN from pin-source '" + path + "': " + std::strerror(saved)};
  }
  buf.resize(size_t(n));
  if (!buf.empty() && buf.back() == '\n') buf.pop_back();
  if (!buf.empty() && buf.back() == '\r') buf.pop_back();
  if (buf.empty()) return Error{Errc::invalid_argument, "pin-source '" + path + "' is empty"};
  return Secret(std::move(buf));
}

}  // namespace

Result<void> Token::login(const Uri& uri, const PinProvider& provider) {
  Impl& d = *impl_;
  if (d.logged_in || !d.info.login_required) return {};
  const std::string who = "token '" + d.info.label + "'";
  if (d.info.pin_locked)
    return Error{Errc::hsm, "the user PIN of " + who +
                                " is locked (CKF_USER_PIN_LOCKED): unlock it with the security "
                                "officer PIN; no login was tried"};
  CK_RV rv;
  if (d.info.protected_auth_path) {
    rv = d.fn->C_Login(d.session, CKU_USER, nullptr, 0);
  } else {
    Secret pin;
    if (uri.pin_value) {
      pin = Secret(uri.pin_value->reveal());
    } else if (uri.pin_source) {
      auto read = read_pin_source(*uri.pin_source);
      if (!read) return std::move(read).error();
      pin = std::move(*read);
    } else if (provider) {
      auto asked = provider(d.info);
      if (!asked) return std::move(asked).error();
      pin = std::move(*asked);
    } else {
      return Error{Errc::invalid_argument, "no PIN for " + who};
    }
    rv = d.fn->C_Login(d.session, CKU_USER,
                       reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.reveal().data())),
                       pin.reveal().size());
  }
  switch (rv) {
    case CKR_OK:
    case CKR_USER_ALREADY_LOGGED_IN:
      d.logged_in = true;
      return {};
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE: {
      std::string msg = "wrong PIN for " + who + " (" + ckr_name(rv) + ")";
      if (d.refresh_info()) {
        if (d.info.pin_locked) msg += ": the token is now locked; unlock it with the security officer PIN";
        else if (d.info.pin_final_try) msg += ": one more wrong PIN locks the token";
        else if (d.info.pin_count_low) msg += ": few tries remain before the token locks";
      }
      return Error{Errc::hsm, msg};
    }
    case CKR_PIN_LOCKED:
      return Error{Errc::hsm, "the user PIN of " + who +
                                  " is locked (CKR_PIN_LOCKED): unlock it with the security officer PIN"};
    case CKR_PIN_EXPIRED:
      return Error{Errc::hsm, "the user PIN of " + who + " has expired (CKR_PIN_EXPIRED): set a new one"};
    default:
      return d.error("logging in", rv);
  }
}

Result<std::vector<KeyInfo>> Token::list_keys() {
  Impl& d = *impl_;
  std::vector<KeyInfo> out;
  for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
    auto handles = find_objects(d, cls, nullptr, nullptr);
    if (!handles) return std::move(handles).error();
    for (CK_OBJECT_HANDLE h : *handles) {
      auto info = describe_key(d, h, cls == CKO_PRIVATE_KEY);
      if (!info) return std::move(info).error();
      out.push_back(std::move(*info));
    }
  }
  // A private key's public half is its public object with the same CKA_ID.
  for (auto& priv : out)
    if (priv.is_private && !priv.id.empty())
      for (const auto& pub : out)
        if (!pub.is_private && pub.id == priv.id && pub.public_key && pub.algorithm == priv.algorithm)
          priv.public_key = pub.public_key;
  return out;
}

Result<KeyInfo> Token::find_signing_key(const Uri& uri) {
  return find_key(*impl_, uri, /*want_private=*/true);
}

Result<KeyInfo> Token::find_public_key(const Uri& uri) {
  return find_key(*impl_, uri, /*want_private=*/false);
}

Result<Bytes> Token::read_attribute(const KeyInfo& key, unsigned long type) {
  return get_attribute(*impl_, key.handle, type);
}

}  // namespace ota::pkcs11
