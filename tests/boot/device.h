// A dual-bank device in memory for the bootloader tests: the example MCU layout (exec-in-place
// slots, 4 KiB sectors) with either erased value (F2), a factory image, and the agent's side
// of an update (INSTALLING, write, commit as PENDING) done the way BOOT-SPEC §4.5's table says.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "boot/bootloader.h"
#include "fakes/fake_signer.h"
#include "flash/cutting_flash.h"
#include "flash/mem_flash.h"
#include "image/bcr.h"
#include "image/device_trust.h"
#include "image/factory.h"
#include "image/rot.h"

namespace ota::boot::test {

inline image::Layout mcu_layout(uint8_t erased) {
  std::ifstream in(std::string(OTA_EXAMPLES) + "/mcu-1mib.layout.yaml", std::ios::binary);
  auto l = image::parse_layout(std::string(std::istreambuf_iterator<char>(in), {}));
  EXPECT_TRUE(l) << l.error().message;
  l->geometry.devices[0].erased = erased;
  return *l;
}

struct ImageOptions {
  image::ImageVersion version{1, 0, 0, 0};
  uint32_t sec = 1;
  std::optional<std::string> hardware_id;      // default: the layout's
  std::optional<int> built_for;                // the slot whose address it runs at; default: its own
  std::optional<uint16_t> image_type;
  std::vector<image::Dependency> dependencies;
  size_t payload = 3000;
};

inline std::string erased_name(const ::testing::TestParamInfo<uint8_t>& info) {
  return info.param == 0xFF ? "erased_ff" : "erased_00";
}

class Device {
 public:
  explicit Device(uint8_t erased) : layout(mcu_layout(erased)) {}

  image::Layout layout;
  flash::MemFlash flash{layout.geometry};
  ota::testing::FakeSigner key{crypto::Algorithm::ed25519};

  Bytes image(int slot, const ImageOptions& o = {}, signer::Signer* by = nullptr) {
    image::ImageSpec s;
    s.version = o.version;
    s.security_counter = o.sec;
    s.hardware_id = o.hardware_id.value_or(layout.hardware_id);
    s.vendor = layout.vendor;
    s.rom_fixed = uint32_t(*layout.slot(o.built_for.value_or(slot)).exec_addr);
    s.image_type = o.image_type;
    s.dependencies = o.dependencies;
    signer::Signer* signers[] = {by ? by : &key};
    auto made = image::sign_image(Bytes(o.payload, uint8_t(o.version.major * 16 + o.version.minor)), s, signers);
    EXPECT_TRUE(made) << made.error().message;
    return *made;
  }

  void factory(const Bytes& a, std::optional<Bytes> b = std::nullopt) {
    flash = flash::MemFlash(layout.geometry);
    auto made = image::build_factory(flash, layout, {{key.public_key()}, 1, a, std::move(b)});
    ASSERT_TRUE(made) << made.error().message;
  }

  // The agent's install and commit (U1, U7): slot INSTALLING, erase + write, then one write
  // making it PENDING with the record describing `described` (default: the image written).
  void stage(int slot, const Bytes& bytes, const Bytes* described = nullptr) {
    auto rec = record();
    rec.slot[size_t(slot)] = {image::SlotState::installing, 0, 0, image::FailReason::none, 0, 0};
    rec.op = image::BcrOp::install_started;
    write(rec);
    const image::Region& r = layout.slot(slot);
    ASSERT_TRUE(flash.erase(r.offset, r.size));
    if (!bytes.empty()) {
      Bytes padded = bytes;
      padded.resize((padded.size() + 7) / 8 * 8, layout.device_of(r).erased);
      ASSERT_TRUE(flash::program_pages(flash, r.offset, padded));
    }
    auto parsed = image::parse_image(described ? *described : bytes);
    const auto* img = std::get_if<image::ParsedImage>(&parsed);
    rec.slot[size_t(slot)] = {image::SlotState::pending, 15, layout.boot.tries, image::FailReason::none,
                              img ? img->security_counter : 0, img ? image::record_digest32(*img) : 0};
    rec.pending_slot = uint8_t(slot);
    rec.op = image::BcrOp::activate;
    write(rec);
  }

  image::BootControl record() {
    auto loaded = image::BcrStore(flash, layout).load();
    EXPECT_TRUE(loaded) << loaded.error().message;
    return loaded ? loaded->record : image::BootControl{};
  }
  void write(const image::BootControl& rec) {
    auto seq = image::BcrStore(flash, layout).write(rec);
    ASSERT_TRUE(seq) << seq.error().message;
  }
  uint32_t floor() {
    auto rot = image::read_rot(flash, layout);
    EXPECT_TRUE(rot) << rot.error().message;
    return rot ? rot->counter : 0;
  }
  uint64_t ops() const { return flash.programs() + flash.erases(); }

  BootResult boot(flash::Flash* through = nullptr) {
    auto r = ota::boot::boot(through ? *through : flash, layout);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : BootResult{};
  }
};

}  // namespace ota::boot::test
