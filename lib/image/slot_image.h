// Signed slot images in MCUboot's container, byte for byte (BOOT-SPEC I1-I9;
// docs/image-format.md): a 32-byte header, the payload, a protected TLV area covered by
// the SHA-256 (and so by every signature), then the unprotected area with the SHA-256
// and one KEYHASH + signature pair per signer. imgtool's `verify` and MCUboot's
// bootutil read what sign_image writes; parse_image and verify_image apply bootutil's
// rules, stricter where bootutil is lax (exact KEYHASH length, TLV bounds, allow list).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/keys.h"
#include "image/rot.h"

namespace ota::signer {
class Signer;
}

namespace ota::image {

inline constexpr uint32_t kImageMagic = 0x96f3b83d;
inline constexpr size_t kImageHeaderSize = 32;
inline constexpr uint16_t kTlvInfoMagic = 0x6907;      // unprotected area
inline constexpr uint16_t kTlvProtInfoMagic = 0x6908;  // protected area
inline constexpr uint32_t kFlagRomFixed = 0x100;

// TLV types: MCUboot's numbers, and ours in the vendor range 0x00a0-0x00fe.
enum TlvType : uint16_t {
  kTlvKeyHash = 0x01,
  kTlvSha256 = 0x10,
  kTlvRsa3072Pss = 0x23,
  kTlvEcdsaSig = 0x22,
  kTlvEd25519 = 0x24,
  kTlvDependency = 0x40,
  kTlvSecCnt = 0x50,
  kTlvUuidVid = 0x74,  // imgtool --vid (BOOT-SPEC I2 says 0x80; imgtool and bootutil use 0x74)
  kTlvUuidCid = 0x75,  // imgtool --cid
  kTlvHwId = 0xa0,       // UTF-8 hardware id, the manifest's hardware id
  kTlvImageType = 0xa1,  // u16 slot class
  kTlvBuildInfo = 0xa2,  // optional free text (build id, commit)
};

struct ImageVersion {
  uint8_t major = 0, minor = 0;
  uint16_t revision = 0;
  uint32_t build = 0;
  bool operator==(const ImageVersion&) const = default;
};
// imgtool's grammar: maj[.min[.rev[+build]]], no leading zeros, each within its field.
Result<ImageVersion> parse_version(std::string_view text);
std::string to_string(const ImageVersion& version);  // "1.2.3+4"
int compare(const ImageVersion& a, const ImageVersion& b);  // -1, 0, 1 (build included)
// imgtool's --security-counter auto: major << 24 | minor << 16 | revision.
uint32_t auto_security_counter(const ImageVersion& version);

struct Dependency {
  uint8_t image_id = 0;
  ImageVersion min_version;
  bool operator==(const Dependency&) const = default;
};

using Uuid = std::array<uint8_t, 16>;
// UUID_VID: a literal UUID ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") as is, else
// uuid5(NAMESPACE_DNS, vendor) - the derivation mcuboot_uuid.h recommends.
Uuid vendor_uuid(std::string_view vendor);
// UUID_CID: uuid5(vendor uuid, hardware_id), the vendor id as namespace of the class id.
Uuid class_uuid(const Uuid& vendor, std::string_view hardware_id);
std::string to_string(const Uuid& uuid);

// Everything an image carries besides the payload and signatures.
struct ImageSpec {
  ImageVersion version;
  uint32_t security_counter = 0;
  std::string hardware_id;
  std::string vendor = "ota-toolchain";
  std::optional<uint32_t> rom_fixed;   // execution address: ROM_FIXED flag + ih_load_addr (L4)
  uint16_t header_size = 32;           // >= 32, a multiple of 8; padding is the erased value
  uint8_t erased = 0xFF;               // header padding fill (imgtool --pad-header -R)
  std::optional<uint16_t> image_type;
  std::optional<std::string> build_info;
  std::vector<Dependency> dependencies;
};

// The key hash MCUboot compares (KEYHASH TLV, and what the root of trust stores):
// SHA-256 of the DER SubjectPublicKeyInfo for P-256 and Ed25519, of the PKCS#1
// RSAPublicKey for RSA (imgtool get_public_bytes).
KeyHash key_hash(const crypto::PublicKey& key);
uint16_t signature_tlv_type(crypto::Algorithm algorithm);

// The hashed region: header, padding, payload, protected TLVs. `ota-image sign
// --vector-to-sign payload` writes it; its SHA-256 is the image digest.
Result<Bytes> build_signed_region(ByteView payload, const ImageSpec& spec);

// What a signer signs for `algorithm`: the whole region for ECDSA and RSA-PSS (which
// hash it with SHA-256 themselves), the 32-byte digest for Ed25519 (MCUboot's
// non-pure Ed25519 signs the digest as its message).
Bytes message_to_sign(crypto::Algorithm algorithm, ByteView region);

struct DetachedSignature {
  crypto::PublicKey key;
  Bytes signature;
};
// Appends the unprotected area (SHA256, then KEYHASH + signature per entry) to the
// region. Every signature is verified first: Errc::rejected names the key that fails.
Result<Bytes> assemble_image(ByteView region, const std::vector<DetachedSignature>& signatures);

// build_signed_region + each signer over message_to_sign + assemble_image.
Result<Bytes> sign_image(ByteView payload, const ImageSpec& spec, std::span<signer::Signer* const> signers);

struct Tlv {
  uint16_t type = 0;
  size_t offset = 0;  // of the value, from the image start
  Bytes value;
};

struct ImageSignature {
  KeyHash key_hash{};
  uint16_t type = 0;
  Bytes signature;
};

// A structurally valid image: every I5 rule that needs no key or device checked.
struct ParsedImage {
  uint32_t load_addr = 0;
  uint16_t header_size = 0;
  uint16_t protect_tlv_size = 0;
  uint32_t image_size = 0;  // payload bytes
  uint32_t flags = 0;
  ImageVersion version;
  std::vector<Tlv> protected_tlvs;
  std::vector<Tlv> unprotected_tlvs;
  size_t total_size = 0;   // through the last unprotected TLV
  size_t region_size = 0;  // hashed bytes: header + payload + protected area
  // Decoded from the TLVs.
  uint32_t security_counter = 0;
  std::string hardware_id;
  Uuid vendor_uuid{}, class_uuid{};
  std::optional<uint16_t> image_type;
  std::optional<std::string> build_info;
  std::vector<Dependency> dependencies;
  std::array<uint8_t, 32> sha256{};  // the SHA256 TLV: the image digest (I6)
  std::vector<ImageSignature> signatures;
};

// imgtool's verify results, and ours (I9).
enum class VerifyCode {
  ok,
  invalid_magic,           // not an MCUboot image
  invalid_header,          // header fields out of range (hdr_size, sizes overflow, slot)
  invalid_tlv_info_magic,  // the unprotected area does not start where the header says
  invalid_tlv,             // a TLV out of bounds, duplicated, missing or not allowed
  invalid_hash,            // the SHA256 TLV does not match the hashed region
  invalid_signature,       // fewer signatures by trusted keys verify than the threshold
  key_mismatch,            // a signature TLV type that does not fit its key
  wrong_hardware,          // HW_ID, UUID_VID or UUID_CID differs from the device
  rollback,                // SEC_CNT below the device's anti-rollback counter
  dependency,              // a DEPENDENCY the device's other images do not satisfy
  wrong_slot,              // ROM_FIXED address of another slot (L4)
  too_large,               // the image does not fit the slot (L5)
};
std::string_view to_string(VerifyCode code);  // "OK", "INVALID_MAGIC", ...

// I5's structure rules over `bytes` (the image file or a slot's contents: bytes past
// the image are ignored, as in a slot). `slot_size`, when given, bounds the image.
// On failure the code says which rule failed and Error carries the detail.
struct ParseFailure {
  VerifyCode code;
  std::string message;
};
std::variant<ParsedImage, ParseFailure> parse_image(ByteView bytes, std::optional<uint64_t> slot_size = std::nullopt);

// What a device or a release engineer checks an image against.
struct TrustPolicy {
  std::vector<KeyHash> trusted;
  bool judge_signatures = true;               // false: signatures are listed, not judged (info)
  std::vector<crypto::PublicKey> keys;        // the public keys behind `trusted` (to verify)
  uint8_t threshold = 1;
  std::optional<std::string> hardware_id;     // and, with it, vendor -> UUID_VID/UUID_CID
  std::string vendor = "ota-toolchain";
  std::optional<uint32_t> min_security_counter;
  std::optional<uint32_t> slot_address;       // a ROM_FIXED image must name this address
};

struct SignatureCheck {
  KeyHash key_hash{};
  uint16_t type = 0;
  bool trusted = false;   // the key hash is in the policy
  bool verified = false;  // and the signature verifies with that key
  std::string problem;
};
struct VerifyReport {
  VerifyCode code = VerifyCode::ok;
  std::string message;  // empty when ok; else one line naming what failed and the values
  std::optional<ParsedImage> image;
  bool hash_ok = false;
  std::vector<SignatureCheck> signatures;
  size_t trusted_signatures = 0;  // distinct trusted keys with a verified signature
};
// parse_image, then the digest over the region, then each signature against the policy
// (distinct trusted keys counted; an untrusted signature neither counts nor fails),
// hardware id, security counter, slot address. Checks in that order; the first failure
// decides the code. Dependencies are the bootloader's business (issue 7).
VerifyReport verify_image(ByteView bytes, const TrustPolicy& policy, std::optional<uint64_t> slot_size = std::nullopt);

}  // namespace ota::image
