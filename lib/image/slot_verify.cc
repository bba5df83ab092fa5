// Reading and verifying MCUboot-container slot images: BOOT-SPEC I5 rule by rule.
#include <algorithm>
#include <cstdio>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "image/slot_image.h"

namespace ota::image {
namespace {

ParseFailure fail(VerifyCode code, std::string message) { return {code, std::move(message)}; }

// Splits one TLV area [begin, end) (after its 4-byte info header) into entries; every
// entry must lie inside the area and the entries must fill it exactly.
std::optional<ParseFailure> split_area(ByteView bytes, size_t begin, size_t end, const char* area,
                                       std::vector<Tlv>& out) {
  size_t at = begin;
  while (at < end) {
    if (end - at < 4)
      return fail(VerifyCode::invalid_tlv, std::string("the ") + area + " TLV area ends inside a TLV header at " + hex_number(at));
    const uint16_t type = load_le16(&bytes[at]), len = load_le16(&bytes[at + 2]);
    if (len > end - at - 4)
      return fail(VerifyCode::invalid_tlv, "TLV " + hex_number(type) + " at " + hex_number(at) + " claims " + std::to_string(len) +
                                               " bytes, past the end of the " + area + " area at " + hex_number(end));
    out.push_back({type, at + 4, Bytes(bytes.begin() + long(at + 4), bytes.begin() + long(at + 4 + len))});
    at += 4 + size_t(len);
  }
  return std::nullopt;
}

bool printable(const Bytes& v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](uint8_t c) { return c > 0x20 && c < 0x7f; });
}

std::optional<ParseFailure> decode_protected(ParsedImage& img) {
  uint16_t previous = 0;
  bool sec = false, vid = false, cid = false, hw = false;
  for (const auto& t : img.protected_tlvs) {
    if (t.type < previous || (t.type == previous && t.type != kTlvDependency))
      return fail(VerifyCode::invalid_tlv, "protected TLV " + hex_number(t.type) + " is " +
                                               (t.type == previous ? "duplicated" : "out of ascending order"));
    previous = t.type;
    auto size_is = [&](size_t n) -> std::optional<ParseFailure> {
      if (t.value.size() == n) return std::nullopt;
      return fail(VerifyCode::invalid_tlv, "protected TLV " + hex_number(t.type) + " has " + std::to_string(t.value.size()) +
                                               " bytes, not " + std::to_string(n));
    };
    switch (t.type) {
      case kTlvDependency:
        if (auto f = size_is(12)) return f;
        if (t.value[1] || t.value[2] || t.value[3]) return fail(VerifyCode::invalid_tlv, "a DEPENDENCY TLV has nonzero padding");
        img.dependencies.push_back({t.value[0], {t.value[4], t.value[5], load_le16(&t.value[6]), load_le32(&t.value[8])}});
        break;
      case kTlvSecCnt:
        if (auto f = size_is(4)) return f;
        img.security_counter = load_le32(t.value.data());
        sec = true;
        break;
      case kTlvUuidVid:
      case kTlvUuidCid:
        if (auto f = size_is(16)) return f;
        std::copy_n(t.value.begin(), 16, (t.type == kTlvUuidVid ? img.vendor_uuid : img.class_uuid).begin());
        (t.type == kTlvUuidVid ? vid : cid) = true;
        break;
      case kTlvHwId:
        if (t.value.size() > 64 || !printable(t.value))
          return fail(VerifyCode::invalid_tlv, "the HW_ID TLV is not 1 to 64 printable ASCII characters");
        img.hardware_id.assign(t.value.begin(), t.value.end());
        hw = true;
        break;
      case kTlvImageType:
        if (auto f = size_is(2)) return f;
        img.image_type = load_le16(t.value.data());
        break;
      case kTlvBuildInfo:
        if (t.value.size() > 256) return fail(VerifyCode::invalid_tlv, "the BUILD_INFO TLV is longer than 256 bytes");
        img.build_info = std::string(t.value.begin(), t.value.end());
        break;
      default:
        return fail(VerifyCode::invalid_tlv, "protected TLV " + hex_number(t.type) + " is not one this profile defines");
    }
  }
  if (!sec || !vid || !cid || !hw)
    return fail(VerifyCode::invalid_tlv, std::string("the protected area lacks the ") +
                                             (!sec ? "SEC_CNT" : !vid ? "UUID_VID" : !cid ? "UUID_CID" : "HW_ID") +
                                             " TLV this profile requires");
  return std::nullopt;
}

std::optional<ParseFailure> decode_unprotected(ParsedImage& img) {
  bool hash = false;
  const auto& tlvs = img.unprotected_tlvs;
  for (size_t i = 0; i < tlvs.size(); ++i) {
    const Tlv& t = tlvs[i];
    if (t.type == kTlvSha256) {
      if (hash) return fail(VerifyCode::invalid_tlv, "the SHA256 TLV appears twice");
      if (t.value.size() != 32) return fail(VerifyCode::invalid_tlv, "the SHA256 TLV has " + std::to_string(t.value.size()) + " bytes, not 32");
      std::copy_n(t.value.begin(), 32, img.sha256.begin());
      hash = true;
    } else if (t.type == kTlvKeyHash) {
      // Exactly 32 bytes: bootutil would match a shorter KEYHASH as a prefix.
      if (t.value.size() != 32) return fail(VerifyCode::invalid_tlv, "a KEYHASH TLV has " + std::to_string(t.value.size()) + " bytes, not 32");
      if (i + 1 >= tlvs.size()) return fail(VerifyCode::invalid_tlv, "a KEYHASH TLV is not followed by its signature");
      const Tlv& s = tlvs[++i];
      if (s.type != kTlvEcdsaSig && s.type != kTlvEd25519 && s.type != kTlvRsa3072Pss)
        return fail(VerifyCode::invalid_tlv, "TLV " + hex_number(s.type) + " follows a KEYHASH where a signature belongs");
      ImageSignature sig;
      std::copy_n(t.value.begin(), 32, sig.key_hash.begin());
      for (const auto& other : img.signatures)
        if (other.key_hash == sig.key_hash) return fail(VerifyCode::invalid_tlv, "one key hash carries two signatures");
      sig.type = s.type;
      sig.signature = s.value;
      img.signatures.push_back(std::move(sig));
    } else if (t.type == kTlvEcdsaSig || t.type == kTlvEd25519 || t.type == kTlvRsa3072Pss) {
      return fail(VerifyCode::invalid_tlv, "signature TLV " + hex_number(t.type) + " has no KEYHASH before it");
    } else {
      return fail(VerifyCode::invalid_tlv, "unprotected TLV " + hex_number(t.type) + " is not allowed there (only SHA256, KEYHASH and signatures)");
    }
  }
  if (!hash) return fail(VerifyCode::invalid_tlv, "the image has no SHA256 TLV");
  return std::nullopt;
}

}  // namespace

std::string_view to_string(VerifyCode code) {
  switch (code) {
    case VerifyCode::ok: return "OK";
    case VerifyCode::invalid_magic: return "INVALID_MAGIC";
    case VerifyCode::invalid_header: return "INVALID_HEADER";
    case VerifyCode::invalid_tlv_info_magic: return "INVALID_TLV_INFO_MAGIC";
    case VerifyCode::invalid_tlv: return "INVALID_TLV";
    case VerifyCode::invalid_hash: return "INVALID_HASH";
    case VerifyCode::invalid_signature: return "INVALID_SIGNATURE";
    case VerifyCode::key_mismatch: return "KEY_MISMATCH";
    case VerifyCode::wrong_hardware: return "WRONG_HARDWARE";
    case VerifyCode::rollback: return "ROLLBACK";
    case VerifyCode::dependency: return "DEPENDENCY";
    case VerifyCode::wrong_slot: return "WRONG_SLOT";
    case VerifyCode::too_large: return "TOO_LARGE";
  }
  return "UNKNOWN";
}

std::variant<ParsedImage, ParseFailure> parse_image(ByteView bytes, std::optional<uint64_t> slot_size) {
  if (bytes.size() < 4 || load_le32(bytes.data()) != kImageMagic)
    return fail(VerifyCode::invalid_magic, "no MCUboot image magic (3d b8 f3 96) at offset 0");
  if (bytes.size() < kImageHeaderSize)
    return fail(VerifyCode::invalid_header, "the image ends inside its 32-byte header (" + std::to_string(bytes.size()) + " bytes)");
  ParsedImage img;
  const uint8_t* h = bytes.data();
  img.load_addr = load_le32(h + 4);
  img.header_size = load_le16(h + 8);
  img.protect_tlv_size = load_le16(h + 10);
  img.image_size = load_le32(h + 12);
  img.flags = load_le32(h + 16);
  img.version = {h[20], h[21], load_le16(h + 22), load_le32(h + 24)};
  if (img.header_size < kImageHeaderSize || img.header_size % 8 != 0)
    return fail(VerifyCode::invalid_header, "header size " + std::to_string(img.header_size) + " is not a multiple of 8 of at least 32");
  if (img.flags & ~kFlagRomFixed)
    return fail(VerifyCode::invalid_header, "header flags " + hex_number(img.flags) + " ask for a feature this profile does not support (only ROM_FIXED 0x100)");
  if (!(img.flags & kFlagRomFixed) && img.load_addr != 0)
    return fail(VerifyCode::invalid_header, "load address " + hex_number(img.load_addr) + " without the ROM_FIXED flag");
  if (load_le32(h + 28) != 0) return fail(VerifyCode::invalid_header, "the header's last 4 bytes (padding) are not zero");
  if (img.protect_tlv_size != 0 && img.protect_tlv_size < 4)
    return fail(VerifyCode::invalid_header, "protected TLV size " + std::to_string(img.protect_tlv_size) + " is smaller than its own info header");

  // u64 arithmetic: every sum below fits; each is then bounded by the 32-bit image size
  // bootutil uses, and by the slot and the bytes at hand.
  const uint64_t prot_at = uint64_t(img.header_size) + img.image_size;
  const uint64_t info_at = prot_at + img.protect_tlv_size;
  if (info_at + 4 > 0xffffffffu)
    return fail(VerifyCode::invalid_header, "header size + image size + protected TLVs overflow 32 bits");
  if (slot_size && info_at + 4 > *slot_size)
    return fail(VerifyCode::too_large, "the image needs at least " + std::to_string(info_at + 4) + " bytes, the slot holds " +
                                           std::to_string(*slot_size));
  if (info_at + 4 > bytes.size())
    return fail(VerifyCode::invalid_header, "the header declares at least " + std::to_string(info_at + 4) +
                                                " bytes (header, payload, TLV areas), only " + std::to_string(bytes.size()) +
                                                " are there (truncated)");
  if (img.protect_tlv_size) {
    if (load_le16(&bytes[prot_at]) != kTlvProtInfoMagic)
      return fail(VerifyCode::invalid_tlv_info_magic, "no protected TLV info magic 0x6908 at " + hex_number(prot_at));
    if (load_le16(&bytes[prot_at + 2]) != img.protect_tlv_size)
      return fail(VerifyCode::invalid_tlv, "the protected area says " + std::to_string(load_le16(&bytes[prot_at + 2])) +
                                               " bytes, the header " + std::to_string(img.protect_tlv_size));
    if (auto f = split_area(bytes, prot_at + 4, info_at, "protected", img.protected_tlvs)) return *f;
  } else if (load_le16(&bytes[prot_at]) == kTlvProtInfoMagic) {
    return fail(VerifyCode::invalid_tlv, "a protected TLV area is present but the header's protected size is 0");
  }
  if (load_le16(&bytes[info_at]) != kTlvInfoMagic)
    return fail(VerifyCode::invalid_tlv_info_magic, "no TLV info magic 0x6907 at " + hex_number(info_at));
  const uint16_t tot = load_le16(&bytes[info_at + 2]);
  const uint64_t end = info_at + tot;
  if (tot < 4) return fail(VerifyCode::invalid_tlv, "the unprotected area length " + std::to_string(tot) + " is below 4");
  if (slot_size && end > *slot_size)
    return fail(VerifyCode::too_large, "the image is " + std::to_string(end) + " bytes, the slot holds " +
                                           std::to_string(*slot_size));
  if (end > bytes.size())
    return fail(VerifyCode::invalid_tlv, "the unprotected TLV area ends at byte " + std::to_string(end) + ", only " +
                                             std::to_string(bytes.size()) + " are there (truncated)");
  if (auto f = split_area(bytes, info_at + 4, end, "unprotected", img.unprotected_tlvs)) return *f;
  img.total_size = end;
  img.region_size = info_at;
  if (auto f = decode_protected(img)) return *f;
  if (auto f = decode_unprotected(img)) return *f;
  return img;
}

VerifyReport verify_image(ByteView bytes, const TrustPolicy& policy, std::optional<uint64_t> slot_size) {
  VerifyReport r;
  auto parsed = parse_image(bytes, slot_size);
  if (auto* f = std::get_if<ParseFailure>(&parsed)) {
    r.code = f->code;
    r.message = f->message;
    return r;
  }
  r.image = std::move(std::get<ParsedImage>(parsed));
  const ParsedImage& img = *r.image;
  const ByteView region = bytes.first(img.region_size);
  const auto digest = crypto::sha256(region);
  r.hash_ok = digest == img.sha256;
  auto failed = [&](VerifyCode code, std::string message) {
    if (r.code == VerifyCode::ok) {
      r.code = code;
      r.message = std::move(message);
    }
  };
  if (!r.hash_ok)
    failed(VerifyCode::invalid_hash, "the image digest " + to_hex(ByteView(digest)).substr(0, 16) +
                                         "… does not match its SHA256 TLV " + to_hex(ByteView(img.sha256)).substr(0, 16) + "…");

  for (const auto& s : img.signatures) {
    SignatureCheck c{s.key_hash, s.type};
    const std::string id = to_hex(ByteView(s.key_hash)).substr(0, 16) + "…";
    c.trusted = std::find(policy.trusted.begin(), policy.trusted.end(), s.key_hash) != policy.trusted.end();
    const crypto::PublicKey* key = nullptr;
    for (const auto& k : policy.keys)
      if (key_hash(k) == s.key_hash) key = &k;
    if (!key) {
      c.problem = c.trusted ? "no public key given for this trusted key hash" : "not a trusted key";
    } else if (signature_tlv_type(key->algorithm()) != s.type) {
      c.problem = "signature TLV " + hex_number(s.type) + " does not fit the key's algorithm " + std::string(crypto::to_string(key->algorithm()));
      if (c.trusted) failed(VerifyCode::key_mismatch, "key " + id + ": " + c.problem);
    } else if (!r.hash_ok) {
      c.problem = "not checked: the image digest does not match";
    } else {
      auto ok = key->verify(message_to_sign(key->algorithm(), region), s.signature);
      c.verified = bool(ok);
      if (!ok) {
        c.problem = "the signature does not verify";
        // A trusted key's signature that fails is an altered image, whatever the count.
        if (c.trusted) failed(VerifyCode::invalid_signature, "the signature by trusted key " + id + " does not verify");
      }
    }
    if (c.trusted && c.verified) ++r.trusted_signatures;
    r.signatures.push_back(std::move(c));
  }
  if (policy.judge_signatures && r.trusted_signatures < policy.threshold) {
    std::string signers;
    for (const auto& c : r.signatures)
      signers += (signers.empty() ? "" : ", ") + to_hex(ByteView(c.key_hash)).substr(0, 16) + "…" + (c.trusted ? "" : " (not trusted)");
    failed(VerifyCode::invalid_signature,
           img.signatures.empty() ? std::string("the image is not signed")
                                  : "signatures by " + std::to_string(r.trusted_signatures) + " trusted key" +
                                        (r.trusted_signatures == 1 ? "" : "s") + " verify, " +
                                        std::to_string(policy.threshold) + " needed; signed by key hash " + signers);
  }
  if (policy.hardware_id) {
    const Uuid vid = vendor_uuid(policy.vendor), cid = class_uuid(vid, *policy.hardware_id);
    if (img.hardware_id != *policy.hardware_id)
      failed(VerifyCode::wrong_hardware, "the image is for hardware id '" + img.hardware_id + "', the device is '" +
                                             *policy.hardware_id + "'");
    else if (img.vendor_uuid != vid || img.class_uuid != cid)
      failed(VerifyCode::wrong_hardware, "the image's vendor/class UUIDs " + to_string(img.vendor_uuid) + "/" +
                                             to_string(img.class_uuid) + " are not the device's " + to_string(vid) + "/" +
                                             to_string(cid) + " (vendor '" + policy.vendor + "')");
  }
  if (policy.min_security_counter && img.security_counter < *policy.min_security_counter)
    failed(VerifyCode::rollback, "security counter " + std::to_string(img.security_counter) +
                                     " is below the device's anti-rollback counter " +
                                     std::to_string(*policy.min_security_counter));
  if (policy.slot_address && (img.flags & kFlagRomFixed) && img.load_addr != *policy.slot_address)
    failed(VerifyCode::wrong_slot, "the image is built to run at " + hex_number(img.load_addr) + ", the slot is at " +
                                       hex_number(*policy.slot_address));
  return r;
}

}  // namespace ota::image
