// The flash seam (BOOT-SPEC F1-F4): NOR-like devices made of erase sectors, programmed
// in write_size granules. Everything that writes flash (the factory image, the
// boot-control record, the emulated bootloader and agent) goes through Flash, so tests
// and the emulator can count operations and cut power at any of them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ota::flash {

// `count` sectors of `size` bytes each, in address order (F1: 16K x 4, 64K, 128K x N).
struct SectorRun {
  uint64_t size = 0;
  uint64_t count = 0;
  bool operator==(const SectorRun&) const = default;
};

struct Sector {
  uint64_t offset = 0;  // in the flash's address space (all devices)
  uint64_t size = 0;
  size_t index = 0;  // 0-based over all devices, in address order
};

// One flash device (F1): its erase sectors, program granule, page and erased value.
struct Device {
  std::string name;  // "" for the single device of a one-device layout; else unique
  std::vector<SectorRun> sectors;
  uint32_t write_size = 1;  // program granule: a power of two, 1..32 (F1)
  uint32_t page_size = 0;   // 0: none; else one program never crosses a page boundary
  uint8_t erased = 0xFF;    // 0xFF or 0x00 (F2)

  uint64_t size() const;  // sum of its sectors
  size_t sector_count() const;
  bool operator==(const Device&) const = default;
};

// The flash a device has (F1): one or more devices laid end to end in one address space,
// device k starting where device k-1 ends (internal flash at 0, an external SPI-NOR after
// it). Each device's start is a multiple of its largest sector (validate_layout checks it),
// so alignment to its sectors, pages and granules is the same in both address spaces.
struct Geometry {
  std::vector<Device> devices;

  Geometry() = default;
  Geometry(Device single) : devices{std::move(single)} {}  // NOLINT: a one-device flash

  uint64_t size() const;  // sum of all devices
  size_t sector_count() const;
  // The sector holding `offset`, nullopt outside the flash.
  std::optional<Sector> sector_at(uint64_t offset) const;
  // True when [offset, offset + length) starts and ends on sector boundaries of one device.
  bool sector_aligned(uint64_t offset, uint64_t length) const;
  // The device holding `offset`; offsets at or past the end give the last device.
  size_t device_index(uint64_t offset) const;
  const Device& device_at(uint64_t offset) const { return devices[device_index(offset)]; }
  uint64_t device_base(size_t index) const;  // where device `index` starts
  bool operator==(const Geometry& other) const { return devices == other.devices; }
};

// F4: what a program may change between two erases.
enum class ProgramRule {
  strict,  // each granule is programmed at most once per erase (MCUboot SimFlash)
  nor,     // programming ANDs bits (for 0xFF erase); a 0->1 change needs an erase
};

class Flash {
 public:
  virtual ~Flash() = default;
  virtual const Geometry& geometry() const = 0;
  virtual Result<void> read(uint64_t offset, std::span<uint8_t> out) = 0;
  // `offset` and `data.size()` are multiples of the device's write_size; the range lies
  // inside one device, and inside one page when the device has a page_size. Errc::invalid_argument for a misaligned or out-of-range
  // request, Errc::rejected for a program the ProgramRule forbids.
  virtual Result<void> program(uint64_t offset, ByteView data) = 0;
  // Whole sectors of one device only (F3): [offset, offset + length) must be sector-aligned.
  virtual Result<void> erase(uint64_t offset, uint64_t length) = 0;
};

// Programs `data` at `offset` in as many page-bounded program operations as needed.
Result<void> program_pages(Flash& flash, uint64_t offset, ByteView data);

}  // namespace ota::flash
