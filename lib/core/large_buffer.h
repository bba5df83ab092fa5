// Anonymous memory for large, randomly accessed arrays (images, suffix arrays):
// not zero-filled up front, and backed by transparent huge pages where the kernel
// allows, which cuts the TLB misses of suffix-array binary searches.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ota {

class LargeBuffer {
 public:
  LargeBuffer() = default;
  explicit LargeBuffer(size_t bytes);  // data() is null if the allocation failed
  ~LargeBuffer();
  LargeBuffer(LargeBuffer&& other) noexcept;
  LargeBuffer& operator=(LargeBuffer&& other) noexcept;
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

}  // namespace ota
