#include "image/key_table.h"

#include <zlib.h>

#include <string>

#include "image/flash_map.h"

namespace ota::image {
namespace {

uint8_t algorithm_code(crypto::Algorithm a) {
  switch (a) {
    case crypto::Algorithm::ed25519: return 1;
    case crypto::Algorithm::ecdsa_p256: return 2;
    case crypto::Algorithm::rsa_pss_3072: return 3;
  }
  return 0;
}

uint32_t crc(ByteView b) { return uint32_t(crc32(crc32(0L, Z_NULL, 0), b.data(), uInt(b.size()))); }

}  // namespace

size_t key_table_offset(const Layout& layout) { return (flash_map_size(layout) + 63) / 64 * 64; }

Bytes encode_key_table(const std::vector<crypto::PublicKey>& keys) {
  Bytes out(16, 0);
  store_le32(out.data(), kKeyTableMagic);
  out[4] = uint8_t(kKeyTableVersion);
  out[6] = uint8_t(keys.size());
  out[7] = uint8_t(keys.size() >> 8);
  for (const auto& k : keys) {
    const Bytes der = k.spki_der();
    out.push_back(algorithm_code(k.algorithm()));
    out.push_back(0);
    out.push_back(uint8_t(der.size()));
    out.push_back(uint8_t(der.size() >> 8));
    out.insert(out.end(), der.begin(), der.end());
  }
  store_le32(out.data() + 8, uint32_t(out.size() + 4));
  out.resize(out.size() + 4);
  store_le32(out.data() + out.size() - 4, crc({out.data(), out.size() - 4}));
  return out;
}

Result<std::vector<crypto::PublicKey>> decode_key_table(ByteView bytes) {
  const auto corrupt = [](const std::string& why) { return Error{Errc::corrupt, "the bootloader key table " + why}; };
  if (bytes.size() < 20 || load_le32(bytes.data()) != kKeyTableMagic) return corrupt("is missing (no 'OKEY' magic)");
  if (bytes[4] != kKeyTableVersion || bytes[5] != 0) return corrupt("has an unknown format version");
  const size_t count = size_t(bytes[6] | bytes[7] << 8);
  const uint32_t total = load_le32(bytes.data() + 8);
  if (total < 20 || total > bytes.size()) return corrupt("length " + std::to_string(total) + " is out of range");
  if (load_le32(bytes.data() + 12) != 0) return corrupt("has nonzero reserved bytes");
  if (crc(bytes.first(total - 4)) != load_le32(bytes.data() + total - 4)) return corrupt("fails its CRC");
  std::vector<crypto::PublicKey> keys;
  size_t at = 16;
  for (size_t i = 0; i < count; ++i) {
    if (total - 4 - at < 4) return corrupt("ends inside key " + std::to_string(i));
    const uint8_t alg = bytes[at];
    const size_t len = size_t(bytes[at + 2] | bytes[at + 3] << 8);
    if (bytes[at + 1] != 0 || len > total - 4 - at - 4) return corrupt("entry " + std::to_string(i) + " is malformed");
    auto key = crypto::PublicKey::from_spki_der(bytes.subspan(at + 4, len));
    if (!key || algorithm_code(key->algorithm()) != alg) return corrupt("entry " + std::to_string(i) + " is not a valid key");
    keys.push_back(std::move(*key));
    at += 4 + len;
  }
  if (at != total - 4) return corrupt("has bytes after its last key");
  return keys;
}

}  // namespace ota::image
