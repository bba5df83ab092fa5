#include "common/pin.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace ota::tools {
namespace {

Result<Secret> prompt(const pkcs11::TokenInfo& token) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Error{Errc::hsm, "cannot open the terminal to ask for the PIN"};
  std::string question = "PIN for token '" + token.label + "': ";
  (void)!::write(tty, question.data(), question.size());
  termios saved{}, quiet{};
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string pin;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n' && c != '\r' && pin.size() < 256) pin.push_back(c);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  (void)!::write(tty, "\n", 1);
  ::close(tty);
  c = 0;
  if (pin.empty()) return Error{Errc::hsm, "no PIN entered for token '" + token.label + "'"};
  return Secret(std::move(pin));
}

}  // namespace

pkcs11::PinProvider pin_provider() {
  return [](const pkcs11::TokenInfo& token) -> Result<Secret> {
    if (const char* env = std::getenv("OTA_PKCS11_PIN"); env && *env) return Secret(env);
    if (!::isatty(STDIN_FILENO))
      return Error{Errc::hsm, "token '" + token.label +
                                  "' needs its user PIN: set OTA_PKCS11_PIN or add "
                                  "?pin-source=file:PATH to the key URI (stdin is not a terminal, "
                                  "so there is no prompt)"};
    return prompt(token);
  };
}

signer::OpenOptions key_open_options(const std::string& module, Secret& passphrase) {
  signer::OpenOptions options;
  if (!module.empty()) options.module_path = module;
  options.pin = pin_provider();
  if (const char* p = std::getenv("OTA_KEY_PASSPHRASE"); p && *p) {
    passphrase = Secret(p);
    options.passphrase = &passphrase;
  }
  return options;
}

}  // namespace ota::tools
