// Geometry queries (BOOT-SPEC F1) and page-bounded programming.
#include <algorithm>
#include <cassert>

#include "flash/flash.h"

namespace ota::flash {

uint64_t Device::size() const {
  uint64_t total = 0;
  for (const SectorRun& run : sectors) total += run.size * run.count;
  return total;
}

size_t Device::sector_count() const {
  size_t total = 0;
  for (const SectorRun& run : sectors) total += static_cast<size_t>(run.count);
  return total;
}

uint64_t Geometry::size() const {
  uint64_t total = 0;
  for (const Device& d : devices) total += d.size();
  return total;
}

size_t Geometry::sector_count() const {
  size_t total = 0;
  for (const Device& d : devices) total += d.sector_count();
  return total;
}

size_t Geometry::device_index(uint64_t offset) const {
  assert(!devices.empty());
  uint64_t base = 0;
  for (size_t k = 0; k + 1 < devices.size(); ++k) {
    base += devices[k].size();
    if (offset < base) return k;
  }
  return devices.size() - 1;
}

uint64_t Geometry::device_base(size_t index) const {
  uint64_t base = 0;
  for (size_t k = 0; k < index && k < devices.size(); ++k) base += devices[k].size();
  return base;
}

std::optional<Sector> Geometry::sector_at(uint64_t offset) const {
  uint64_t base = 0;
  size_t index = 0;
  for (const Device& d : devices) {
    for (const SectorRun& run : d.sectors) {
      const uint64_t run_bytes = run.size * run.count;
      if (run.size != 0 && offset >= base && offset - base < run_bytes) {
        const uint64_t i = (offset - base) / run.size;
        return Sector{base + i * run.size, run.size, index + static_cast<size_t>(i)};
      }
      base += run_bytes;
      index += static_cast<size_t>(run.count);
    }
  }
  return std::nullopt;
}

// An empty range is not "sector aligned": erasing nothing is a caller bug, and saying
// no here lets erase() reject it with the same check. One erase is on one device.
bool Geometry::sector_aligned(uint64_t offset, uint64_t length) const {
  const uint64_t total = size();
  if (length == 0 || offset >= total || length > total - offset) return false;
  const size_t device = device_index(offset);
  const uint64_t end = offset + length;
  if (end > device_base(device) + devices[device].size()) return false;
  auto starts_sector = [&](uint64_t at) {
    if (at == total) return true;
    auto sector = sector_at(at);
    return sector && sector->offset == at;
  };
  return starts_sector(offset) && starts_sector(end);
}

Result<void> program_pages(Flash& flash, uint64_t offset, ByteView data) {
  const uint64_t page = flash.geometry().device_at(offset).page_size;
  if (page == 0) return data.empty() ? Result<void>() : flash.program(offset, data);
  size_t done = 0;
  while (done < data.size()) {
    const uint64_t at = offset + done;
    const uint64_t room = page - at % page;  // bytes left in this page
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(room, data.size() - done));
    OTA_TRY(flash.program(at, data.subspan(done, chunk)));
    done += chunk;
  }
  return {};
}

}  // namespace ota::flash
