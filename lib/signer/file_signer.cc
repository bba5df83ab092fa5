#include "signer/file_signer.h"

namespace ota::signer {

Result<crypto::PrivateKey> load_private_key_file(io::Storage& fs, const std::string& path,
                                                 const Secret* passphrase) {
  auto file = fs.open_input(path);
  if (!file) return std::move(file).error().with_context("reading key file '" + path + "'");
  auto key = crypto::PrivateKey::from_pem((*file)->bytes(), passphrase);
  if (!key) return std::move(key).error().with_context("key file '" + path + "'");
  return key;
}

}  // namespace ota::signer
