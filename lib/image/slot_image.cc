// Writing MCUboot-container slot images: header, protected TLVs, signatures.
#include "image/slot_image.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "core/hex.h"
#include "crypto/sha256.h"
#include "signer/signer.h"

namespace ota::image {
namespace {

void put16(Bytes& out, uint16_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}
void put32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
// TLV type as u16 LE: what bootutil and dumpinfo read (imgtool's u8 + pad byte 0 for
// MCUboot's own types is the same bytes).
void put_tlv(Bytes& out, uint16_t type, ByteView value) {
  put16(out, type);
  put16(out, uint16_t(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

Bytes version_bytes(const ImageVersion& v) {
  Bytes b{v.major, v.minor};
  put16(b, v.revision);
  put32(b, v.build);
  return b;
}

// One decimal field of a version: no sign, no leading zero, at most `max`.
bool parse_field(std::string_view s, uint64_t max, uint64_t& out) {
  if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + uint64_t(c - '0');
  }
  return out <= max;
}

Uuid uuid5(const Uuid& ns, std::string_view name) {
  Bytes in(ns.begin(), ns.end());
  in.insert(in.end(), name.begin(), name.end());
  const auto h = crypto::sha1_for_uuid(in);
  Uuid u;
  std::copy_n(h.begin(), 16, u.begin());
  u[6] = uint8_t((u[6] & 0x0f) | 0x50);  // version 5
  u[8] = uint8_t((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

std::optional<Uuid> parse_uuid(std::string_view s) {
  if (s.size() != 36) return std::nullopt;
  Uuid u{};
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return std::nullopt;
      continue;
    }
    const char c = s[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return std::nullopt;
    u[n / 2] = uint8_t(u[n / 2] | (n % 2 ? v : v << 4));
    ++n;
  }
  return u;
}

// The RSAPublicKey inside a SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier,
// BIT STRING { 0 unused bits, RSAPublicKey } }. Our own DER (from OpenSSL), so a
// malformed one is a broken invariant; returns the SPKI unchanged then.
Bytes rsa_pkcs1_from_spki(const Bytes& spki) {
  auto header = [&](size_t at, size_t& len) -> size_t {  // returns the content offset
    if (at + 2 > spki.size()) return 0;
    size_t l = spki[at + 1];
    size_t off = at + 2;
    if (l & 0x80) {
      const size_t n = l & 0x7f;
      if (n == 0 || n > 4 || off + n > spki.size()) return 0;
      l = 0;
      for (size_t i = 0; i < n; ++i) l = l << 8 | spki[off + i];
      off += n;
    }
    len = l;
    return off;
  };
  size_t len = 0;
  const size_t outer = header(0, len);
  if (!outer) return spki;
  const size_t alg = header(outer, len);
  if (!alg) return spki;
  const size_t bits_at = alg + len;
  const size_t bits = header(bits_at, len);
  if (!bits || spki[bits_at] != 0x03 || len < 1 || bits + len > spki.size() || spki[bits] != 0) return spki;
  return Bytes(spki.begin() + long(bits) + 1, spki.begin() + long(bits + len));
}

}  // namespace

Result<ImageVersion> parse_version(std::string_view text) {
  const auto bad = [&] {
    return Error{Errc::invalid_argument, "version '" + std::string(text) +
                                             "' is not MAJOR[.MINOR[.REVISION[+BUILD]]] (0-255, 0-255, 0-65535, "
                                             "0-4294967295, no leading zeros)"};
  };
  ImageVersion v;
  std::string_view rest = text, build;
  if (auto plus = rest.find('+'); plus != std::string_view::npos) {
    build = rest.substr(plus + 1);
    rest = rest.substr(0, plus);
    if (std::count(text.begin(), text.end(), '.') != 2) return bad();  // +build only after all three
  }
  uint64_t field[3] = {0, 0, 0};
  const uint64_t max[3] = {255, 255, 65535};
  for (int i = 0; i < 3 && !rest.empty(); ++i) {
    const size_t dot = rest.find('.');
    if (i == 2 && dot != std::string_view::npos) return bad();
    if (!parse_field(rest.substr(0, dot), max[i], field[i])) return bad();
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    if (dot != std::string_view::npos && rest.empty()) return bad();
  }
  if (!rest.empty() || text.empty()) return bad();
  uint64_t b = 0;
  if (text.find('+') != std::string_view::npos && !parse_field(build, 0xffffffffu, b)) return bad();
  v.major = uint8_t(field[0]);
  v.minor = uint8_t(field[1]);
  v.revision = uint16_t(field[2]);
  v.build = uint32_t(b);
  return v;
}

std::string to_string(const ImageVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.revision) + "+" +
         std::to_string(v.build);
}

int compare(const ImageVersion& a, const ImageVersion& b) {
  const auto key = [](const ImageVersion& v) { return std::tuple(v.major, v.minor, v.revision, v.build); };
  return key(a) < key(b) ? -1 : key(b) < key(a) ? 1 : 0;
}

uint32_t auto_security_counter(const ImageVersion& v) {
  return uint32_t(v.major) << 24 | uint32_t(v.minor) << 16 | v.revision;
}

Uuid vendor_uuid(std::string_view vendor) {
  if (auto literal = parse_uuid(vendor)) return *literal;
  // RFC 4122 NAMESPACE_DNS: 6ba7b810-9dad-11d1-80b4-00c04fd430c8
  static constexpr Uuid kNamespaceDns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  return uuid5(kNamespaceDns, vendor);
}

Uuid class_uuid(const Uuid& vendor, std::string_view hardware_id) { return uuid5(vendor, hardware_id); }

std::string to_string(const Uuid& u) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += digits[u[i] >> 4];
    s += digits[u[i] & 15];
  }
  return s;
}

KeyHash key_hash(const crypto::PublicKey& key) {
  const Bytes spki = key.spki_der();
  return crypto::sha256(key.algorithm() == crypto::Algorithm::rsa_pss_3072 ? rsa_pkcs1_from_spki(spki) : spki);
}

uint16_t signature_tlv_type(crypto::Algorithm algorithm) {
  switch (algorithm) {
    case crypto::Algorithm::ed25519: return kTlvEd25519;
    case crypto::Algorithm::ecdsa_p256: return kTlvEcdsaSig;
    case crypto::Algorithm::rsa_pss_3072: return kTlvRsa3072Pss;
  }
  return 0;
}

Result<Bytes> build_signed_region(ByteView payload, const ImageSpec& spec) {
  if (spec.header_size < kImageHeaderSize || spec.header_size % 8 != 0)
    return Error{Errc::invalid_argument, "header size " + std::to_string(spec.header_size) +
                                             " must be at least 32 and a multiple of 8"};
  if (payload.size() > 0xffffffffu - spec.header_size)
    return Error{Errc::too_large, "the payload (" + std::to_string(payload.size()) +
                                      " bytes) does not fit the image header's 32-bit size"};
  if (spec.hardware_id.empty() || spec.hardware_id.size() > 64 ||
      !std::all_of(spec.hardware_id.begin(), spec.hardware_id.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return Error{Errc::invalid_argument, "hardware id '" + spec.hardware_id +
                                             "' must be 1 to 64 printable ASCII characters without spaces"};
  if (spec.build_info && spec.build_info->size() > 256)
    return Error{Errc::invalid_argument, "build info is longer than 256 bytes"};
  if (spec.erased != 0xFF && spec.erased != 0x00)
    return Error{Errc::invalid_argument, "the erased value is 0xff or 0x00, not " + hex_number(spec.erased)};

  // Protected TLVs in ascending type order (docs/image-format.md).
  Bytes prot;
  auto deps = spec.dependencies;
  std::sort(deps.begin(), deps.end(), [](const Dependency& a, const Dependency& b) { return a.image_id < b.image_id; });
  for (size_t i = 1; i < deps.size(); ++i)
    if (deps[i].image_id == deps[i - 1].image_id)
      return Error{Errc::invalid_argument, "two dependencies on image " + std::to_string(deps[i].image_id)};
  for (const auto& d : deps) {
    Bytes v{d.image_id, 0, 0, 0};
    const Bytes ver = version_bytes(d.min_version);
    v.insert(v.end(), ver.begin(), ver.end());
    put_tlv(prot, kTlvDependency, v);
  }
  Bytes counter;
  put32(counter, spec.security_counter);
  put_tlv(prot, kTlvSecCnt, counter);
  const Uuid vid = vendor_uuid(spec.vendor), cid = class_uuid(vid, spec.hardware_id);
  put_tlv(prot, kTlvUuidVid, vid);
  put_tlv(prot, kTlvUuidCid, cid);
  put_tlv(prot, kTlvHwId, {reinterpret_cast<const uint8_t*>(spec.hardware_id.data()), spec.hardware_id.size()});
  if (spec.image_type) {
    Bytes t;
    put16(t, *spec.image_type);
    put_tlv(prot, kTlvImageType, t);
  }
  if (spec.build_info)
    put_tlv(prot, kTlvBuildInfo, {reinterpret_cast<const uint8_t*>(spec.build_info->data()), spec.build_info->size()});
  if (prot.size() + 4 > 0xffff) return Error{Errc::too_large, "the protected TLV area exceeds 65535 bytes"};
  const uint16_t prot_size = uint16_t(prot.size() + 4);

  Bytes out;
  out.reserve(spec.header_size + payload.size() + prot_size);
  put32(out, kImageMagic);
  put32(out, spec.rom_fixed.value_or(0));
  put16(out, spec.header_size);
  put16(out, prot_size);
  put32(out, uint32_t(payload.size()));
  put32(out, spec.rom_fixed ? kFlagRomFixed : 0);
  const Bytes ver = version_bytes(spec.version);
  out.insert(out.end(), ver.begin(), ver.end());
  put32(out, 0);
  out.resize(spec.header_size, spec.erased);  // imgtool --pad-header fills with the erased value
  out.insert(out.end(), payload.begin(), payload.end());
  put16(out, kTlvProtInfoMagic);
  put16(out, prot_size);
  out.insert(out.end(), prot.begin(), prot.end());
  return out;
}

Bytes message_to_sign(crypto::Algorithm algorithm, ByteView region) {
  if (algorithm == crypto::Algorithm::ed25519) {
    const auto d = crypto::sha256(region);
    return Bytes(d.begin(), d.end());
  }
  return Bytes(region.begin(), region.end());
}

Result<Bytes> assemble_image(ByteView region, const std::vector<DetachedSignature>& signatures) {
  const auto digest = crypto::sha256(region);
  Bytes tlvs;
  put_tlv(tlvs, kTlvSha256, digest);
  std::vector<KeyHash> seen;
  for (const auto& s : signatures) {
    const KeyHash h = key_hash(s.key);
    const std::string id = to_hex(ByteView(h)).substr(0, 16);
    if (std::find(seen.begin(), seen.end(), h) != seen.end())
      return Error{Errc::invalid_argument, "key " + id + "… signs twice"};
    seen.push_back(h);
    const Bytes message = message_to_sign(s.key.algorithm(), region);
    if (auto ok = s.key.verify(message, s.signature); !ok)
      return Error{Errc::rejected, "the signature by key " + id + "… (" + std::string(crypto::to_string(s.key.algorithm())) +
                                       ") does not verify over this image: " + ok.error().message};
    put_tlv(tlvs, kTlvKeyHash, h);
    put_tlv(tlvs, signature_tlv_type(s.key.algorithm()), s.signature);
  }
  if (tlvs.size() + 4 > 0xffff) return Error{Errc::too_large, "the unprotected TLV area exceeds 65535 bytes"};
  Bytes out(region.begin(), region.end());
  put16(out, kTlvInfoMagic);
  put16(out, uint16_t(tlvs.size() + 4));
  out.insert(out.end(), tlvs.begin(), tlvs.end());
  return out;
}

Result<Bytes> sign_image(ByteView payload, const ImageSpec& spec, std::span<signer::Signer* const> signers) {
  auto region = build_signed_region(payload, spec);
  if (!region) return std::move(region).error();
  std::vector<DetachedSignature> signatures;
  for (signer::Signer* s : signers) {
    auto sig = s->sign(message_to_sign(s->algorithm(), *region));
    if (!sig) return std::move(sig).error().with_context("signing with " + s->reference());
    signatures.push_back({s->public_key(), std::move(*sig)});
  }
  return assemble_image(*region, signatures);
}

}  // namespace ota::image
