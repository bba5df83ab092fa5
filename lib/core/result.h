// ota::Result<T>: a value or an Error, with std::expected's member names
// (GCC 12 has no std::expected). No exception crosses a lib/ header.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ota {

// The few kinds of failure a caller acts on differently; tools map them to exit codes.
enum class Errc {
  io,                // the OS refused a read/write/rename
  not_found,         // an input file does not exist
  corrupt,           // input data is malformed or fails an integrity check
  unsupported,       // well-formed, but a feature this build does not implement
  invalid_argument,  // the caller asked for something meaningless
  too_large,         // a declared size exceeds a configured limit
  rejected,          // a security check refused the input (wrong source, signature, ...)
  hsm,               // the PKCS#11 token failed
  no_space,          // the device or disk is full
  power_cut,         // injected by fault-testing seams
};

std::string_view to_string(Errc code);

struct Error;
// An OS failure: "<what>: <strerror>", ENOENT as not_found, ENOSPC/EDQUOT as no_space.
Error errno_error(int err, const std::string& what);

struct Error {
  Errc code;
  std::string message;  // "what failed: why; what to do", lower case, paths quoted

  // Prefixes what the caller was doing: "reading 'a.bin': ...".
  Error with_context(std::string_view what) && {
    message.insert(0, std::string(what) + ": ");
    return std::move(*this);
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(v_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_{Errc::io, {}};
  bool ok_ = true;
};

// Returns early with the error of a failed Result<void>-like expression.
#define OTA_TRY(expr)                                  \
  do {                                                 \
    if (auto ota_try_r_ = (expr); !ota_try_r_)         \
      return std::move(ota_try_r_).error();            \
  } while (0)

}  // namespace ota
