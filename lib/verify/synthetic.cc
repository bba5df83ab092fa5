#include "verify/synthetic.h"

#include <cstdio>

#include "core/hex.h"
#include "core/splitmix64.h"
#include "crypto/sha256.h"
#include "delta/operations.h"
#include "image/factory.h"
#include "signer/file_signer.h"

namespace ota::verify {
namespace {

// EXAMPLE KEY, NOT SECRET: published so that power-cut runs are byte-for-byte replayable.
// Never trust it on a real device.
constexpr const char* kExampleKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIHRFbdgiP4s/Jf09sTONNlAYRlP3M+3c1Sc5/fUH9wrn\n"
    "-----END PRIVATE KEY-----\n";

constexpr const char* kHardwareId = "powercut-board";

std::string layout_yaml(const SyntheticConfig& c) {
  char erased[8];
  std::snprintf(erased, sizeof erased, "0x%02x", c.erased);
  const std::string ws = std::to_string(c.write_size);
  const std::string head = "  name: " + c.layout + "\n  hardware_id: " + kHardwareId + "\n  write_size: " + ws +
                           "\n  erased: " + erased + "\n";
  if (c.layout == "uniform-4k")  // 512 KiB of SPI NOR, 4 KiB sectors, 256-byte pages
    return "device:\n" + head +
           "  size: 512KiB\n  sector_size: 4KiB\n  page_size: 256\n"
           "regions:\n"
           "  - {name: bootloader, offset: 0x0, size: 16KiB}\n"
           "  - {name: rot, offset: 0x4000, size: 4KiB}\n"
           "  - {name: bcr0, offset: 0x5000, size: 4KiB}\n"
           "  - {name: bcr1, offset: 0x6000, size: 4KiB}\n"
           "  - {name: scratch, offset: 0x7000, size: 0x19000}\n"
           "  - {name: slot_a, offset: 0x20000, size: 192KiB}\n"
           "  - {name: slot_b, offset: 0x50000, size: 192KiB}\n";
  if (c.layout == "stm32f4")  // STM32F4-style mixed sectors: 16K x 4, 64K, 128K x 5
    return "device:\n" + head +
           "  size: 768KiB\n  sectors:\n    - {size: 16KiB, count: 4}\n    - {size: 64KiB, count: 1}\n"
           "    - {size: 128KiB, count: 5}\n"
           "regions:\n"
           "  - {name: bootloader, offset: 0x0, size: 16KiB}\n"
           "  - {name: rot, offset: 0x4000, size: 16KiB}\n"
           "  - {name: bcr0, offset: 0x8000, size: 16KiB}\n"
           "  - {name: bcr1, offset: 0xc000, size: 16KiB}\n"
           "  - {name: scratch, offset: 0x10000, size: 0x50000}\n"
           "  - {name: slot_a, offset: 0x60000, size: 128KiB}\n"
           "  - {name: slot_b, offset: 0x80000, size: 128KiB}\n";
  if (c.layout == "internal-spi")  // F1: internal flash + an external SPI-NOR (MCUboot's
    // Stm32f4SpiFlash): slot A and two BCR copies inside, slot B, the journal and a third
    // BCR copy outside; 2 tries, the old slot retired on confirm. The matrix varies the
    // internal flash; SPI-NOR is always 0xFF-erased, byte-programmable, 256-byte pages.
    return "device:\n  name: " + c.layout + "\n  hardware_id: " + kHardwareId +
           "\n  flashes:\n"
           "    - {name: internal, size: 256KiB, sector_size: 4KiB, write_size: " + ws + ", erased: " + erased + "}\n"
           "    - {name: spi, size: 512KiB, sector_size: 4KiB, write_size: 1, page_size: 256, erased: 0xff}\n"
           "regions:\n"
           "  - {name: bootloader, offset: 0x0, size: 16KiB}\n"
           "  - {name: rot, offset: 0x4000, size: 4KiB}\n"
           "  - {name: bcr0, offset: 0x5000, size: 4KiB}\n"
           "  - {name: bcr1, offset: 0x6000, size: 4KiB}\n"
           "  - {name: slot_a, offset: 0x10000, size: 192KiB}\n"
           "  - {name: bcr2, flash: spi, offset: 0x0, size: 4KiB}\n"
           "  - {name: scratch, flash: spi, offset: 0x1000, size: 0x1f000}\n"
           "  - {name: slot_b, flash: spi, offset: 0x20000, size: 192KiB}\n"
           "boot: {tries: 2, prevent_late_fallback: true}\n";
  return {};
}

// Firmware-like bytes: runs of a few recurring "instruction" patterns and tables, so the
// patch between two versions is small, as it is between real builds.
Bytes firmware_payload(uint64_t size, uint64_t seed) {
  Bytes out;
  out.reserve(size);
  uint64_t state = seed;
  while (out.size() < size) {
    const uint64_t r = splitmix64(state);
    const size_t run = 8 + r % 56;
    for (size_t k = 0; k < run && out.size() < size; ++k) out.push_back(uint8_t((r >> (8 * (k % 8))) ^ k));
  }
  return out;
}

// v1.1.0: v1.0.0 with a block inserted (everything after it moves) and scattered edits.
Bytes next_version(const Bytes& v1) {
  Bytes v2(v1.begin(), v1.begin() + long(v1.size() / 3));
  const Bytes inserted = firmware_payload(700, 99);
  v2.insert(v2.end(), inserted.begin(), inserted.end());
  v2.insert(v2.end(), v1.begin() + long(v1.size() / 3), v1.end());
  for (size_t at = 1000; at < v2.size(); at += 4099) v2[at] ^= 0x5a;
  return v2;
}

Result<Bytes> signed_image(signer::Signer& key, ByteView payload, const std::string& version, uint8_t erased) {
  image::ImageSpec spec;
  auto v = image::parse_version(version);
  if (!v) return std::move(v).error();
  spec.version = *v;
  spec.security_counter = image::auto_security_counter(*v);
  spec.hardware_id = kHardwareId;
  spec.erased = erased;
  signer::Signer* signers[] = {&key};
  return image::sign_image(payload, spec, signers);
}

agent::Payload payload_of(const std::string& name, const Bytes& bytes, uint64_t chunk_size) {
  agent::Payload p;
  p.name = name;
  p.length = bytes.size();
  p.sha256 = crypto::sha256(bytes);
  p.chunk_size = chunk_size;
  for (uint64_t off = 0; off < bytes.size(); off += chunk_size)
    p.chunks.push_back(crypto::sha256(ByteView(bytes).subspan(off, std::min<uint64_t>(chunk_size, bytes.size() - off))));
  return p;
}

}  // namespace

const std::vector<std::string>& synthetic_layouts() {
  static const std::vector<std::string> names = {"uniform-4k", "stm32f4", "internal-spi"};
  return names;
}

std::vector<SyntheticConfig> t2_matrix() {
  std::vector<SyntheticConfig> out;
  for (const auto& layout : synthetic_layouts())
    for (uint32_t ws : {1u, 4u, 8u, 16u})
      for (uint8_t erased : {uint8_t(0xFF), uint8_t(0x00)}) {
        SyntheticConfig c;
        c.layout = layout;
        c.write_size = ws;
        c.erased = erased;
        out.push_back(c);
      }
  return out;
}

std::string to_string(const SyntheticConfig& c) {
  char erased[4];
  std::snprintf(erased, sizeof erased, "%02x", c.erased);
  return c.layout + "/ws" + std::to_string(c.write_size) + "/" + erased;
}

Result<Subject> synthetic_subject(const SyntheticConfig& c) {
  const std::string yaml = layout_yaml(c);
  if (yaml.empty()) return Error{Errc::invalid_argument, "unknown power-cut layout '" + c.layout + "'"};
  auto layout = image::parse_layout(yaml);
  if (!layout) return std::move(layout).error().with_context("power-cut layout " + to_string(c));
  auto key = crypto::PrivateKey::from_pem(ByteView(reinterpret_cast<const uint8_t*>(kExampleKeyPem),
                                                   std::char_traits<char>::length(kExampleKeyPem)),
                                          nullptr);
  if (!key) return std::move(key).error();
  signer::FileSigner signer(std::move(*key), "example-powercut-key");

  const Bytes p1 = firmware_payload(c.payload_bytes, 1);
  const Bytes p2 = next_version(p1);
  auto v1 = signed_image(signer, p1, "1.0.0", c.erased);
  if (!v1) return std::move(v1).error();
  auto v2 = signed_image(signer, p2, "1.1.0", c.erased);
  if (!v2) return std::move(v2).error();
  delta::EncodeOptions encode;
  auto patch = delta::encode_patch(delta::Algorithm::kOta, *v1, *v2, encode);
  if (!patch) return std::move(patch).error();

  flash::MemFlash mem(layout->geometry);
  image::FactoryRequest request;
  request.trust = {signer.public_key()};
  request.slot_a = *v1;
  if (auto built = image::build_factory(mem, *layout, request); !built) return std::move(built).error();

  auto parsed1 = image::parse_image(*v1);
  auto parsed2 = image::parse_image(*v2);
  const auto& img1 = std::get<image::ParsedImage>(parsed1);
  const auto& img2 = std::get<image::ParsedImage>(parsed2);
  Subject s{c.layout, *layout, std::move(mem), {}, {}, img1.sha256};
  agent::UpdatePlan& plan = s.plan;
  plan.target = "fw/powercut.bin";
  plan.version = "1.1.0";
  plan.image = payload_of(plan.target, *v2, c.chunk_size);
  plan.patch = payload_of(plan.target + ".from-1.0.0.patch", patch->bytes, c.chunk_size);
  plan.patch_algorithm = "ota";
  plan.from_version = "1.0.0";
  plan.slot_digest = img2.sha256;
  plan.security_counter = img2.security_counter;
  plan.slot_version = image::to_string(img2.version);
  plan.hardware_id = kHardwareId;
  s.files[plan.image.name] = *v2;
  s.files[plan.patch->name] = patch->bytes;
  return s;
}

}  // namespace ota::verify
