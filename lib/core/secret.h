// A PIN or passphrase in memory: never copied implicitly, wiped when dropped.
#pragma once

#include <string.h>  // explicit_bzero (glibc)

#include <string>
#include <utility>

namespace ota {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void wipe() noexcept {
    // The full capacity: a moved-from or shrunk string may keep bytes past size().
    value_.resize(value_.capacity());
    if (!value_.empty()) explicit_bzero(value_.data(), value_.size());
    value_.clear();
  }
  std::string value_;
};

}  // namespace ota
