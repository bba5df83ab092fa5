#include "boot/flash_file.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "flash/mem_flash.h"
#include "image/flash_map.h"
#include "io/write_atomic.h"

namespace ota::boot {
namespace {

// Keeps each sector's bytes from before its first program or erase, so "did any byte
// change" costs a comparison of the touched sectors, not a second copy of the device.
class TrackingFlash final : public flash::Flash {
 public:
  explicit TrackingFlash(flash::MemFlash& flash) : flash_(flash) {}
  const flash::Geometry& geometry() const override { return flash_.geometry(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override { return flash_.read(offset, out); }
  Result<void> program(uint64_t offset, ByteView data) override {
    keep(offset, data.size());
    return flash_.program(offset, data);
  }
  Result<void> erase(uint64_t offset, uint64_t length) override {
    keep(offset, length);
    return flash_.erase(offset, length);
  }

  bool changed() const {
    for (const auto& [offset, before] : originals_)
      if (!std::equal(before.begin(), before.end(), flash_.bytes().begin() + long(offset))) return true;
    return false;
  }
  void forget() { originals_.clear(); }

 private:
  void keep(uint64_t offset, uint64_t length) {
    const flash::Geometry& g = flash_.geometry();
    for (uint64_t at = offset; at < offset + length && at < g.size();) {
      const auto sector = g.sector_at(at);
      if (!sector) return;
      if (!originals_.count(sector->offset)) {
        const auto& bytes = flash_.bytes();
        originals_[sector->offset] = Bytes(bytes.begin() + long(sector->offset), bytes.begin() + long(sector->offset + sector->size));
      }
      at = sector->offset + sector->size;
    }
  }

  flash::MemFlash& flash_;
  std::map<uint64_t, Bytes> originals_;  // by sector offset
};

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The first field where two layouts differ, as "what: A in the image, B given", so the
// refusal names both values (PEER-LESSONS: expected and found).
std::string first_difference(const image::Layout& in, const image::Layout& given) {
  auto differ = [](const std::string& what, const std::string& a, const std::string& b) {
    return what + " " + a + " in the image, " + b + " given";
  };
  if (in.device != given.device) return differ("device", "'" + in.device + "'", "'" + given.device + "'");
  if (in.hardware_id != given.hardware_id) return differ("hardware id", "'" + in.hardware_id + "'", "'" + given.hardware_id + "'");
  if (in.vendor != given.vendor) return differ("vendor", "'" + in.vendor + "'", "'" + given.vendor + "'");
  const auto &a = in.geometry, &b = given.geometry;
  if (a.size() != b.size()) return differ("flash size", std::to_string(a.size()), std::to_string(b.size()));
  if (a.devices.size() != b.devices.size())
    return differ("flash device count", std::to_string(a.devices.size()), std::to_string(b.devices.size()));
  for (size_t k = 0; k < a.devices.size(); ++k) {
    const flash::Device &x = a.devices[k], &y = b.devices[k];
    const std::string of = a.devices.size() > 1 ? " of flash " + std::to_string(k) : "";
    if (x.name != y.name) return differ("flash " + std::to_string(k) + " name", "'" + x.name + "'", "'" + y.name + "'");
    if (x.size() != y.size()) return differ("size" + of, std::to_string(x.size()), std::to_string(y.size()));
    if (x.write_size != y.write_size) return differ("write size" + of, std::to_string(x.write_size), std::to_string(y.write_size));
    if (x.page_size != y.page_size) return differ("page size" + of, std::to_string(x.page_size), std::to_string(y.page_size));
    if (x.erased != y.erased) return differ("erased value" + of, hex(x.erased), hex(y.erased));
  }
  if (a.sector_count() != b.sector_count()) return differ("sector count", std::to_string(a.sector_count()), std::to_string(b.sector_count()));
  for (size_t i = 0; i < std::max(in.regions.size(), given.regions.size()); ++i) {
    if (i >= in.regions.size()) return "region '" + given.regions[i].name + "' is only in the given layout";
    if (i >= given.regions.size()) return "region '" + in.regions[i].name + "' is only in the image";
    const auto &r = in.regions[i], &g = given.regions[i];
    auto where = [](const image::Region& x) {
      return "'" + x.name + "' at " + hex(x.offset) + " size " + hex(x.size) + (x.exec_addr ? " exec " + hex(*x.exec_addr) : "");
    };
    if (!(r == g)) return differ("region", where(r), where(g));
  }
  if (in.boot.tries != given.boot.tries) return differ("boot.tries", std::to_string(in.boot.tries), std::to_string(given.boot.tries));
  if (in.boot.prevent_late_fallback != given.boot.prevent_late_fallback)
    return differ("boot.prevent_late_fallback", in.boot.prevent_late_fallback ? "true" : "false",
                  given.boot.prevent_late_fallback ? "true" : "false");
  if (in.counter_slots != given.counter_slots)
    return differ("counter_slots", std::to_string(in.counter_slots), std::to_string(given.counter_slots));
  return "the sector map differs";
}

}  // namespace

struct FlashFile::State {
  State(std::filesystem::path p, image::Layout l, flash::MemFlash m)
      : path(std::move(p)), layout(std::move(l)), memory(std::move(m)), tracking(memory) {}
  std::filesystem::path path;
  image::Layout layout;
  flash::MemFlash memory;
  TrackingFlash tracking;
};

Result<image::Layout> read_layout_file(io::Storage& fs, const std::filesystem::path& path) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  const ByteView b = (*in)->bytes();
  auto layout = image::parse_layout(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  if (!layout) return std::move(layout).error().with_context("layout " + quoted(path));
  return layout;
}

Result<FlashFile> FlashFile::load(io::Storage& fs, const std::filesystem::path& path,
                                  const std::optional<image::Layout>& given) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  const ByteView bytes = (*in)->bytes();
  auto embedded = image::decode_flash_map(bytes);  // the bootloader region starts at 0
  image::Layout layout;
  if (given) {
    if (!embedded)
      return Error{Errc::rejected, quoted(path) + " carries no valid flash map (" + embedded.error().message +
                                       "), so it was not built for the given layout (L6); the file is unchanged"};
    if (image::encode_flash_map(*embedded) != image::encode_flash_map(*given))
      return Error{Errc::rejected, "the flash map in " + quoted(path) + " differs from the given layout (" +
                                       first_difference(*embedded, *given) + "): refusing it (L6); the file is unchanged"};
    layout = *given;
  } else {
    if (!embedded)
      return Error{Errc::corrupt, quoted(path) + " has no usable flash map (" + embedded.error().message +
                                      "); is it a flash image from 'ota-image build'?"};
    layout = std::move(*embedded);
  }
  if (bytes.size() != layout.geometry.size())
    return Error{Errc::corrupt, quoted(path) + " is " + std::to_string(bytes.size()) + " bytes, the flash of '" + layout.device +
                                    "' is " + std::to_string(layout.geometry.size()) + ": truncated, or not an image of this device"};
  auto memory = flash::MemFlash::from_image(layout.geometry, Bytes(bytes.begin(), bytes.end()));
  if (!memory) return std::move(memory).error();
  return FlashFile(std::make_unique<State>(path, std::move(layout), std::move(*memory)));
}

FlashFile::FlashFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
FlashFile::FlashFile(FlashFile&&) noexcept = default;
FlashFile& FlashFile::operator=(FlashFile&&) noexcept = default;
FlashFile::~FlashFile() = default;

const image::Layout& FlashFile::layout() const { return state_->layout; }
const std::filesystem::path& FlashFile::path() const { return state_->path; }
flash::Flash& FlashFile::flash() { return state_->tracking; }
const Bytes& FlashFile::bytes() const { return state_->memory.bytes(); }
bool FlashFile::changed() const { return state_->tracking.changed(); }

Result<bool> FlashFile::save(io::Storage& fs) {
  if (!changed()) return false;
  auto w = io::write_atomic(fs, state_->path, io::FileMode::kPublic,
                            [&](io::Writer& out) { return out.write(state_->memory.bytes()); });
  if (!w) return std::move(w).error().with_context("writing " + quoted(state_->path));
  state_->tracking.forget();
  return true;
}

}  // namespace ota::boot
