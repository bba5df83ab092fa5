#include "signer/signer.h"

#include <string>

#include "crypto/tuf_key.h"
#include "io/write_atomic.h"
#include "pkcs11/uri.h"
#include "signer/file_signer.h"
#include "signer/key_ref.h"
#include "signer/pkcs11_signer.h"

namespace ota::signer {
namespace {

Result<void> check_expected(const crypto::PublicKey& key, const std::string& ref,
                            const OpenOptions& options) {
  if (options.expect && *options.expect != key.algorithm())
    return Error{Errc::invalid_argument, "key '" + ref + "' is " +
                                             std::string(crypto::to_string(key.algorithm())) +
                                             ", not the requested " +
                                             std::string(crypto::to_string(*options.expect))};
  return {};
}

std::string_view text_of(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string Signer::key_id() const { return crypto::tuf_key_id(public_key()); }

Result<Bytes> Signer::sign(ByteView message) {
  auto signature = sign_unchecked(message);
  if (!signature) return signature;
  if (auto ok = public_key().verify(message, *signature); !ok)
    return Error{Errc::hsm, "the signature made with '" + reference() +
                                "' does not verify with its own public key; nothing was written"};
  return signature;
}

Result<std::unique_ptr<Signer>> open_signer(io::Storage& fs, std::string_view ref,
                                            const OpenOptions& options) {
  auto kind = parse_key_ref(ref);
  if (!kind) return std::move(kind).error();
  if (kind->kind == KeyRef::Kind::pkcs11) {
    auto s = Pkcs11Signer::open(ref, options);
    if (!s) return std::move(s).error();
    return std::unique_ptr<Signer>(std::move(*s));
  }
  auto key = load_private_key_file(fs, kind->file_path, options.passphrase);
  if (!key) return std::move(key).error();
  auto signer = std::make_unique<FileSigner>(std::move(*key), kind->file_path);
  OTA_TRY(check_expected(signer->public_key(), "file:" + kind->file_path, options));
  return std::unique_ptr<Signer>(std::move(signer));
}

Result<crypto::PublicKey> open_public_key(io::Storage& fs, std::string_view ref,
                                          const OpenOptions& options) {
  Result<crypto::PublicKey> key = Error{Errc::invalid_argument, ""};
  std::string shown = pkcs11::redact_uri(ref);
  if (ref.rfind("pkcs11:", 0) == 0) {
    auto uri = pkcs11::parse_uri(ref);
    if (!uri) return std::move(uri).error();
    auto token = pkcs11::Token::open(*uri, {options.module_path, options.pin});
    if (!token) return std::move(token).error();
    auto found = (*token)->find_public_key(*uri);
    if (!found) return std::move(found).error();
    key = *found->public_key;
  } else {
    // file:PATH names a private key file; a bare path a public PEM or TUF key JSON.
    bool private_file = ref.rfind("file:", 0) == 0;
    std::string path(private_file ? ref.substr(5) : ref);
    auto file = fs.open_input(path);
    if (!file) return std::move(file).error().with_context("reading '" + path + "'");
    std::string_view text = text_of((*file)->bytes());
    if (private_file && text.find("PRIVATE KEY-----") != std::string_view::npos) {
      auto priv = crypto::PrivateKey::from_pem((*file)->bytes(), options.passphrase);
      if (!priv) return std::move(priv).error().with_context("key file '" + path + "'");
      key = priv->public_key();
    } else if (auto first = text.find_first_not_of(" \t\r\n");
               first != std::string_view::npos && text[first] == '{') {
      key = crypto::public_key_from_tuf_json(text);
    } else if (text.find("-----BEGIN") != std::string_view::npos) {
      key = crypto::PublicKey::from_pem(text);
    } else {
      key = crypto::PublicKey::from_spki_der((*file)->bytes());
    }
    if (!key) return std::move(key).error().with_context("'" + path + "'");
  }
  OTA_TRY(check_expected(*key, shown, options));
  return key;
}

Result<crypto::PublicKey> generate_key(io::Storage& fs, std::string_view ref,
                                       const GenerateOptions& request, const OpenOptions& options) {
  auto kind = parse_key_ref(ref);
  if (!kind) return std::move(kind).error();
  if (kind->kind == KeyRef::Kind::file) {
    const std::string& path = kind->file_path;
    if (auto existing = fs.open_input(path); existing || existing.error().code != Errc::not_found)
      return Error{Errc::invalid_argument,
                   "'" + path + "' already exists: ota-keys never overwrites a key file"};
    auto key = crypto::PrivateKey::generate(request.algorithm);
    if (!key) return std::move(key).error();
    Secret pem = key->pkcs8_pem();
    OTA_TRY(io::write_atomic(fs, path, io::FileMode::kPrivate, [&](io::Writer& out) {
      return out.write(ByteView(reinterpret_cast<const uint8_t*>(pem.reveal().data()),
                                pem.reveal().size()));
    }));
    return key->public_key();
  }
  auto uri = pkcs11::parse_uri(ref);
  if (!uri) return std::move(uri).error();
  if (uri->object_id)
    return Error{Errc::invalid_argument, "'" + uri->display +
                                             "': ota-keys chooses a random id=; name the key with object= only"};
  if (uri->object_label && request.label && *uri->object_label != *request.label)
    return Error{Errc::invalid_argument, "--label '" + *request.label + "' differs from object='" +
                                             *uri->object_label + "' in the URI"};
  std::optional<std::string> label = uri->object_label ? uri->object_label : request.label;
  if (!label)
    return Error{Errc::invalid_argument, "'" + uri->display +
                                             "' names no key: add object=LABEL to the URI or give --label"};
  auto token = pkcs11::Token::open(*uri, {options.module_path, options.pin});
  if (!token) return std::move(token).error();
  OTA_TRY((*token)->login(*uri, options.pin));
  auto made = (*token)->generate({request.algorithm, *label});
  if (!made) return std::move(made).error();
  return *made->public_key;
}

}  // namespace ota::signer
