#include "ota-image/options.h"

#include <cctype>

namespace ota::tools {
namespace {

Result<uint64_t> parse_number(const std::string& what, const std::string& text, uint64_t max) {
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || text[0] == '-' || v > max)
    return Error{Errc::invalid_argument, what + " '" + text + "' is not a number from 0 to " + std::to_string(max)};
  return uint64_t(v);
}

std::optional<Bytes> base64_decode(ByteView text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Bytes out;
  uint32_t acc = 0;
  int bits = 0, pad = 0, chars = 0;
  for (uint8_t c : text) {
    if (std::isspace(c)) continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    const auto at = alphabet.find(char(c));
    if (at == std::string::npos || pad) return std::nullopt;
    acc = acc << 6 | uint32_t(at);
    bits += 6;
    ++chars;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  if (chars == 0 || (chars + pad) % 4 != 0 || pad > 2) return std::nullopt;
  return out;
}

}  // namespace

CLI::App* add_sign_command(CLI::App& app, ImageOptions& o) {
  auto* c = app.add_subcommand("sign", "wrap a firmware binary in a signed MCUboot-format slot image");
  c->add_option("--key", o.keys, "key reference that signs (pkcs11: URI or file:PATH); repeat for several signatures");
  c->add_option("--in", o.in, "the firmware payload")->required();
  c->add_option("--out", o.out, "the slot image to write (or the vector with --vector-to-sign)")->required();
  c->add_option("--version", o.version, "image version MAJOR.MINOR.REVISION[+BUILD]")->required();
  c->add_option("--hw-id", o.hw_id, "hardware id the image is for (HW_ID TLV; the manifest's hardware id)")->required();
  c->add_option("--security-counter", o.security_counter,
                "anti-rollback counter (SEC_CNT TLV): a number, or auto = major<<24 | minor<<16 | revision")
      ->required();
  c->add_option("--vendor", o.vendor, "vendor domain or UUID for UUID_VID; UUID_CID derives from it and --hw-id")
      ->capture_default_str();
  c->add_option("--rom-fixed", o.rom_fixed, "execution address: sets ROM_FIXED and the header's load address");
  c->add_option("--layout", o.layout, "check the image fits this layout's slot (with --slot)");
  c->add_option("--slot", o.slot, "a or b: the slot of --layout; its exec_addr becomes the ROM_FIXED address")
      ->check(CLI::IsMember({"a", "b"}));
  c->add_option("--slot-size", o.slot_size_text, "refuse an image larger than this many bytes (imgtool -S)");
  c->add_option("--header-size", o.header_size, "header bytes incl. padding: at least 32, a multiple of 8")
      ->capture_default_str();
  c->add_option("--erased", o.erased, "header padding fill: the flash's erased value, 0xff or 0x00")
      ->check(CLI::IsMember({"0xff", "0xFF", "0x00", "0"}))
      ->capture_default_str();
  c->add_option("--image-type", o.image_type, "IMAGE_TYPE TLV: a 16-bit slot class");
  c->add_option("--build-info", o.build_info, "BUILD_INFO TLV: free text such as a commit id (at most 256 bytes)");
  c->add_option("--dependency", o.dependencies, "IMAGE_ID:MIN_VERSION, a DEPENDENCY TLV; repeatable");
  c->add_option("--vector-to-sign", o.vector_to_sign,
                "write what an offline signer signs instead of an image: payload (the hashed region: for "
                "ECDSA and RSA-PSS) or digest (its SHA-256: for Ed25519)")
      ->check(CLI::IsMember({"payload", "digest"}));
  c->add_option("--fix-sig", o.fix_sigs, "a signature made elsewhere over the vector (base64 or raw); repeatable");
  c->add_option("--fix-sig-pubkey", o.fix_sig_pubkeys, "the public key of each --fix-sig, in the same order");
  c->add_option("--audit-log", o.audit_log, "append a hash-chained record of each signature (default: $OTA_AUDIT_LOG)");
  c->add_option("--module", o.module, "PKCS#11 module to load instead of p11-kit's registered ones");
  c->footer(
      "Offline signing (imgtool's split): run once with --vector-to-sign payload|digest --out VEC, sign VEC\n"
      "elsewhere, then run again with the same options and --fix-sig SIG --fix-sig-pubkey PUB.");
  return c;
}

CLI::App* add_build_command(CLI::App& app, ImageOptions& o) {
  auto* c = app.add_subcommand("build", "write a raw factory flash image: bootloader data, root of trust, "
                                        "boot-control record and slot images at their offsets");
  c->add_option("--layout", o.layout, "the flash layout (YAML, schemas/flash-layout.schema.json)")->required();
  c->add_option("--trust", o.trust, "a key the bootloader trusts: public key file, pkcs11: URI or file:PRIVATE.pem; repeatable")
      ->required();
  c->add_option("--threshold", o.threshold, "signatures by distinct trusted keys an image needs")->capture_default_str();
  c->add_option("--slot-a", o.slot_a, "the signed image for slot A (confirmed and active)")->required();
  c->add_option("--slot-b", o.slot_b, "an optional signed image for slot B (a confirmed fallback)");
  c->add_option("--out", o.out, "the flash image to write")->required();
  c->add_option("--module", o.module, "PKCS#11 module to load instead of p11-kit's registered ones");
  return c;
}

CLI::App* add_info_command(CLI::App& app, ImageOptions& o) {
  auto* c = app.add_subcommand("info", "show a slot image (header, TLVs) or a flash image (regions, root of trust, "
                                       "boot-control record, each slot verified as the bootloader would)");
  c->add_option("file", o.file, "FLASH.img or SLOTIMG")->required();
  c->add_option("--layout", o.layout, "the flash layout (default: the one the flash image carries)");
  c->add_option("--trust", o.trust, "for a slot image: keys to verify its signatures with; repeatable");
  c->add_option("--threshold", o.threshold, "for a slot image: signatures needed")->capture_default_str();
  c->add_option("--hw-id", o.hw_id, "for a slot image: the hardware id it must carry");
  c->add_option("--vendor", o.vendor, "with --hw-id: the vendor of UUID_VID")->capture_default_str();
  c->add_option("--module", o.module, "PKCS#11 module to load instead of p11-kit's registered ones");
  return c;
}

CLI::App* add_verify_command(CLI::App& app, ImageOptions& o) {
  auto* c = app.add_subcommand("verify", "exit 0 only when a slot image's hash and a threshold of trusted signatures hold");
  c->add_option("file", o.file, "SLOTIMG")->required();
  c->add_option("--trust", o.trust, "a trusted key: public key file, pkcs11: URI or file:PRIVATE.pem; repeatable")->required();
  c->add_option("--threshold", o.threshold, "signatures by distinct trusted keys needed")->capture_default_str();
  c->add_option("--hw-id", o.hw_id, "also require this hardware id (HW_ID, UUID_VID, UUID_CID)");
  c->add_option("--vendor", o.vendor, "with --hw-id: the vendor of UUID_VID")->capture_default_str();
  c->add_option("--min-security-counter", o.min_security_counter, "also require SEC_CNT at least this (anti-rollback)");
  c->add_option("--slot-size", o.slot_size, "also require the image to fit this many bytes");
  c->add_option("--slot-address", o.slot_address, "a ROM_FIXED image must be built for this address");
  c->add_option("--module", o.module, "PKCS#11 module to load instead of p11-kit's registered ones");
  return c;
}

Result<image::Layout> load_layout(io::Storage& fs, const std::string& path) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  const ByteView b = (*in)->bytes();
  auto layout = image::parse_layout(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  if (!layout) return std::move(layout).error().with_context("layout '" + path + "'");
  return layout;
}

Result<image::ImageSpec> image_spec(io::Storage& fs, ImageOptions& o) {
  image::ImageSpec spec;
  auto version = image::parse_version(o.version);
  if (!version) return std::move(version).error();
  spec.version = *version;
  if (o.security_counter == "auto") {
    spec.security_counter = image::auto_security_counter(spec.version);
  } else {
    auto n = parse_number("--security-counter", o.security_counter, 0xffffffffu);
    if (!n) return std::move(n).error();
    spec.security_counter = uint32_t(*n);
  }
  spec.hardware_id = o.hw_id;
  spec.vendor = o.vendor;
  spec.header_size = o.header_size;
  spec.erased = (o.erased == "0x00" || o.erased == "0") ? 0x00 : 0xFF;
  spec.image_type = o.image_type;
  if (!o.build_info.empty()) spec.build_info = o.build_info;
  if (!o.rom_fixed.empty()) {
    auto a = parse_number("--rom-fixed", o.rom_fixed, 0xffffffffu);
    if (!a) return std::move(a).error();
    spec.rom_fixed = uint32_t(*a);
  }
  for (const auto& d : o.dependencies) {
    const auto colon = d.find(':');
    if (colon == std::string::npos) return Error{Errc::invalid_argument, "--dependency '" + d + "' is not IMAGE_ID:MIN_VERSION"};
    auto id = parse_number("--dependency image id", d.substr(0, colon), 255);
    if (!id) return std::move(id).error();
    auto v = image::parse_version(d.substr(colon + 1));
    if (!v) return std::move(v).error().with_context("--dependency '" + d + "'");
    spec.dependencies.push_back({uint8_t(*id), *v});
  }
  if (!o.slot_size_text.empty()) {
    auto s = parse_number("--slot-size", o.slot_size_text, 0xffffffffu);
    if (!s) return std::move(s).error();
    o.slot_size = *s;
  }
  if (!o.layout.empty() || !o.slot.empty()) {
    if (o.layout.empty() || o.slot.empty()) return Error{Errc::invalid_argument, "--layout and --slot go together"};
    auto layout = load_layout(fs, o.layout);
    if (!layout) return std::move(layout).error();
    const image::Region& slot = layout->slot(o.slot == "a" ? 0 : 1);
    o.slot_size = o.slot_size ? std::min(*o.slot_size, slot.size) : slot.size;
    if (slot.exec_addr && !spec.rom_fixed) spec.rom_fixed = uint32_t(*slot.exec_addr);
    if (spec.hardware_id != layout->hardware_id)
      return Error{Errc::invalid_argument, "--hw-id '" + spec.hardware_id + "' is not the layout's hardware id '" +
                                               layout->hardware_id + "'"};
    spec.erased = layout->device_of(slot).erased;
  }
  const size_t given = o.keys.size() + o.fix_sigs.size();
  if (o.fix_sigs.size() != o.fix_sig_pubkeys.size())
    return Error{Errc::invalid_argument, "each --fix-sig needs its --fix-sig-pubkey (" + std::to_string(o.fix_sigs.size()) +
                                             " signatures, " + std::to_string(o.fix_sig_pubkeys.size()) + " keys)"};
  if (!o.vector_to_sign.empty() && given)
    return Error{Errc::invalid_argument, "--vector-to-sign writes what to sign; it takes no --key or --fix-sig"};
  if (o.vector_to_sign.empty() && !given)
    return Error{Errc::invalid_argument, "nothing signs the image: give --key, or --fix-sig with --fix-sig-pubkey "
                                         "(or --vector-to-sign for an offline signer)"};
  if (o.audit_log.empty())
    if (const char* env = std::getenv("OTA_AUDIT_LOG"); env && *env) o.audit_log = env;
  return spec;
}

Result<std::vector<image::DetachedSignature>> fixed_signatures(io::Storage& fs, const ImageOptions& o,
                                                               const signer::OpenOptions& options) {
  std::vector<image::DetachedSignature> out;
  for (size_t i = 0; i < o.fix_sigs.size(); ++i) {
    auto key = signer::open_public_key(fs, o.fix_sig_pubkeys[i], options);
    if (!key) return std::move(key).error().with_context("--fix-sig-pubkey '" + o.fix_sig_pubkeys[i] + "'");
    auto in = fs.open_input(o.fix_sigs[i]);
    if (!in) return std::move(in).error();
    const ByteView raw = (*in)->bytes();
    Bytes sig = base64_decode(raw).value_or(Bytes(raw.begin(), raw.end()));
    out.push_back({std::move(*key), std::move(sig)});
  }
  return out;
}

}  // namespace ota::tools
