// RSA keys of any size, made and used with OpenSSL's EVP API directly: an independent
// signer for the verify-only TUF RSA schemes (PrivateKey makes only 3072-bit PSS keys,
// and signing with our own code would not show that we agree with other producers).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "core/bytes.h"

namespace ota::testing {

enum class RsaPadding { pss, pkcs1v15 };

class OpenSslRsa {
 public:
  // One key per size for the whole test binary: a 4096-bit key takes seconds to make.
  static const OpenSslRsa& of_bits(int bits) {
    static std::map<int, OpenSslRsa> keys;
    auto it = keys.find(bits);
    if (it == keys.end()) it = keys.emplace(bits, OpenSslRsa(bits)).first;
    return it->second;
  }

  std::string public_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) std::abort();
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, size_t(len));
  }

  // SHA-256 with `padding`; for PSS, MGF1-SHA256 and `salt` (a length, or
  // RSA_PSS_SALTLEN_DIGEST / RSA_PSS_SALTLEN_MAX).
  Bytes sign(RsaPadding padding, ByteView message, int salt = RSA_PSS_SALTLEN_DIGEST) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey_.get()) != 1) std::abort();
    if (padding == RsaPadding::pkcs1v15) {
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) std::abort();
    } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1 ||
               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1) {
      std::abort();
    }
    size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) std::abort();
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) std::abort();
    sig.resize(len);
    return sig;
  }

 private:
  explicit OpenSslRsa(int bits)
      : pkey_(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits)), EVP_PKEY_free) {
    if (!pkey_) std::abort();
  }
  std::shared_ptr<EVP_PKEY> pkey_;
};

}  // namespace ota::testing
