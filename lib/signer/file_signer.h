// Development keys in PEM files, signed with in-process OpenSSL.
#pragma once

#include "signer/signer.h"

namespace ota::signer {

class FileSigner final : public Signer {
 public:
  FileSigner(crypto::PrivateKey key, std::string path)
      : key_(std::move(key)), public_(key_.public_key()), path_(std::move(path)) {}
  crypto::Algorithm algorithm() const override { return key_.algorithm(); }
  const crypto::PublicKey& public_key() const override { return public_; }
  std::string reference() const override { return "file:" + path_; }

 protected:
  Result<Bytes> sign_unchecked(ByteView message) override { return key_.sign(message); }

 private:
  crypto::PrivateKey key_;
  crypto::PublicKey public_;
  std::string path_;
};

Result<crypto::PrivateKey> load_private_key_file(io::Storage& fs, const std::string& path,
                                                 const Secret* passphrase);

}  // namespace ota::signer
