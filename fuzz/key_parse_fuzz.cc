// libFuzzer target: every parser a key reference or a verifier input reaches — TUF key
// JSON, PEM and DER public keys, PEM private keys, raw points, r||s signatures — must
// accept or refuse any bytes without a crash, a leak or undefined behaviour, and a key
// it accepts must survive its own encodings.

#include <nlohmann/json.hpp>
#include <string_view>

#include "crypto/keys.h"
#include "crypto/tuf_key.h"

using namespace ota;

static void check_round_trip(const crypto::PublicKey& key) {
  auto again = crypto::PublicKey::from_spki_der(key.spki_der());
  if (!again || !(*again == key)) __builtin_trap();
  auto tuf = crypto::public_key_from_tuf_json(crypto::tuf_key_object(key).dump());
  if (!tuf || !(*tuf == key)) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView bytes(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto k = crypto::public_key_from_tuf_json(text)) check_round_trip(*k);
  if (auto k = crypto::PublicKey::from_pem(text)) check_round_trip(*k);
  if (auto k = crypto::PublicKey::from_spki_der(bytes)) check_round_trip(*k);
  if (auto k = crypto::PublicKey::from_p256_point(bytes)) check_round_trip(*k);
  if (auto k = crypto::PublicKey::from_ed25519(bytes)) check_round_trip(*k);
  Secret passphrase("fuzz");
  if (auto k = crypto::PrivateKey::from_pem(bytes, &passphrase)) check_round_trip(k->public_key());
  if (auto der = crypto::ecdsa_raw_to_der(bytes); der && der->empty()) __builtin_trap();
  return 0;
}
