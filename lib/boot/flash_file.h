// Flash image files for the emulator (BOOT-SPEC F12, L6): the whole device as `ota-image
// build` writes it, loaded into a MemFlash, booted, and written back only when a byte
// changed, atomically (io::write_atomic), so a failure never leaves a half-written file.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"
#include "flash/flash.h"
#include "image/layout.h"
#include "io/storage.h"

namespace ota::boot {

// Reads and validates a layout YAML file; errors name the file.
Result<image::Layout> read_layout_file(io::Storage& fs, const std::filesystem::path& path);

class FlashFile {
 public:
  // Reads `path`. Its layout is the flash map embedded at offset 0, or `layout` when
  // given: then the embedded map must equal it (L6), else Errc::rejected. Errc::corrupt
  // when there is no usable flash map and no layout, or when the file's size is not the
  // layout's flash size. Only reads the file.
  static Result<FlashFile> load(io::Storage& fs, const std::filesystem::path& path,
                                const std::optional<image::Layout>& layout);

  FlashFile(FlashFile&&) noexcept;
  FlashFile& operator=(FlashFile&&) noexcept;
  ~FlashFile();

  const image::Layout& layout() const;
  const std::filesystem::path& path() const;
  // The device. Programs and erases through it are tracked (the first touch of a sector
  // keeps its bytes as loaded), so changed() compares only what was touched.
  flash::Flash& flash();
  const Bytes& bytes() const;  // the current contents
  // Some byte differs from the file as loaded (or as last saved).
  bool changed() const;
  // Writes the contents over the file (temp file beside it, fsync, rename) when changed();
  // returns whether it wrote. On failure the file is as it was.
  Result<bool> save(io::Storage& fs);

 private:
  struct State;
  explicit FlashFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ota::boot
