// ota-keys: create, export and list signing keys in PKCS#11 tokens or development
// PEM files, and check the signing audit log (docs/cli.md, docs/signing.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "common/output_path.h"
#include "common/pin.h"
#include "common/cli.h"
#include "common/report.h"
#include "core/hex.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "io/write_atomic.h"
#include "pkcs11/token.h"
#include "pkcs11/uri.h"
#include "signer/key_ref.h"
#include "signer/signer.h"

namespace {

constexpr const char* kTool = "ota-keys";
using ota::Error;
using ota::Errc;
using nlohmann::json;

int usage(const std::string& message, bool j) {
  return ota::tools::fail(kTool, Error{Errc::invalid_argument, message + "; see 'ota-keys --help'"}, j);
}

json tuf_key_document(const ota::crypto::PublicKey& key) {
  return {{"keyid", ota::crypto::tuf_key_id(key)},
          {"key", ota::crypto::tuf_key_object(key)}};
}

json key_to_json(const ota::pkcs11::KeyInfo& k) {
  json doc = {{"class", k.is_private ? "private" : "public"},
              {"label", k.label},
              {"id", ota::to_hex(k.id)},
              {"key_type", k.key_type},
              {"algorithm", k.algorithm ? json(std::string(ota::crypto::to_string(*k.algorithm))) : json()},
              {"key_id", k.public_key ? json(ota::crypto::tuf_key_id(*k.public_key)) : json()}};
  json attrs = json::object();
  auto put = [&](const char* name, const std::optional<bool>& b) {
    if (b) attrs[name] = *b;
  };
  put("sign", k.sign); put("verify", k.verify); put("decrypt", k.decrypt); put("encrypt", k.encrypt);
  put("unwrap", k.unwrap); put("wrap", k.wrap); put("derive", k.derive); put("sensitive", k.sensitive);
  put("extractable", k.extractable); put("always_sensitive", k.always_sensitive);
  put("never_extractable", k.never_extractable); put("local", k.local);
  doc["attributes"] = attrs;
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-keys: signing keys in PKCS#11 tokens (SoftHSM2, HSMs) or development files"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Key references: pkcs11:token=LABEL;object=KEY[?pin-source=file:PATH] (RFC 7512) or\n"
      "file:PATH (PEM, development only). The PIN comes from the URI, OTA_PKCS11_PIN, or a\n"
      "prompt when stdin is a terminal; never from the command line.\n"
      "Examples:\n"
      "  ota-keys generate --algo ecdsa-p256 --key 'pkcs11:token=fleet;object=targets-1'\n"
      "  ota-keys public --key 'pkcs11:token=fleet;object=targets-1' --out targets-1.json\n"
      "  ota-keys list --token pkcs11:token=fleet --json\n"
      "  ota-keys audit verify signing.log\n"
      "Exit codes: 0 ok, 1 bad data, 2 usage, 3 rejected (audit log broken, passphrase), 4 file\n"
      "error, 5 HSM error (PIN, token, key, module).");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  std::string module;
  app.add_option("--module", module, "PKCS#11 module to load instead of p11-kit's registered ones");
  app.require_subcommand(1);
  app.fallthrough();

  std::string key, algo, label, format = "tuf", out;
  auto* generate = app.add_subcommand("generate", "create a signing key in a token or a PEM file");
  generate->add_option("--algo", algo, "ed25519, ecdsa-p256 or rsa-pss-3072")
      ->required()
      ->check(CLI::IsMember({"ed25519", "ecdsa-p256", "rsa-pss-3072"}));
  generate->add_option("--key", key, "where: pkcs11:token=T;object=LABEL or file:PATH (written 0600)")->required();
  generate->add_option("--label", label, "token object label, when the URI has no object=");
  generate->footer("Example:\n  ota-keys generate --algo ed25519 --key 'pkcs11:token=fleet;object=timestamp-1'");

  auto* pub = app.add_subcommand("public", "print a key's public half");
  pub->add_option("--key", key, "pkcs11: URI or file:PATH")->required();
  pub->add_option("--format", format, "tuf (key JSON with its key id) or pem (SubjectPublicKeyInfo)")
      ->check(CLI::IsMember({"tuf", "pem"}))
      ->capture_default_str();
  pub->add_option("--out", out, "write to this file instead of stdout");
  pub->footer("Example:\n  ota-keys public --key file:dev-root.pem --format pem > dev-root.pub.pem");

  std::string token_uri;
  auto* list = app.add_subcommand("list", "list the keys on a token (logs in to see private keys)");
  list->add_option("--token", token_uri, "pkcs11:token=LABEL (or serial=...)")->required();
  list->footer("Example:\n  ota-keys list --token pkcs11:token=fleet --json");

  std::string log_path, expect_head;
  auto* audit = app.add_subcommand("audit", "check the signing audit log");
  auto* audit_verify = audit->add_subcommand("verify", "check the hash chain; name the first broken line");
  audit->require_subcommand(1);
  audit_verify->add_option("LOG", log_path, "the audit log")->required();
  audit_verify->add_option("--expect-head", expect_head,
                           "SHA-256 the last line must have (detects records cut from the end)");
  audit_verify->footer("Example:\n  ota-keys audit verify signing.log --expect-head 3f2a...");

  if (auto stop = ota::tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;


  ota::io::PosixStorage fs;
  ota::Secret passphrase;
  ota::signer::OpenOptions options = ota::tools::key_open_options(module, passphrase);

  if (*audit_verify) {
    std::optional<std::string> head;
    if (!expect_head.empty()) head = expect_head;
    auto report = ota::audit::verify(log_path, head);
    if (!report) return ota::tools::fail(kTool, report.error(), json_out);
    json doc = {{"log", log_path}, {"records", report->records}, {"head_sha256", report->head_sha256},
                {"valid", true}};
    return ota::tools::succeed(json_out, doc,
                               "audit log '" + log_path + "': " + std::to_string(report->records) +
                                   " records, chain intact, head " + report->head_sha256);
  }

  if (*generate) {
    ota::signer::GenerateOptions request{*ota::crypto::parse_algorithm(algo), {}};
    if (!label.empty()) request.label = label;
    auto made = ota::signer::generate_key(fs, key, request, options);
    if (!made) return ota::tools::fail(kTool, made.error(), json_out);
    const std::string id = ota::crypto::tuf_key_id(*made);
    json doc = {{"key", ota::pkcs11::redact_uri(key)},
                {"algorithm", algo},
                {"key_id", id},
                {"public_key_pem", made->pem()},
                {"tuf_key", tuf_key_document(*made)["key"]}};
    return ota::tools::succeed(json_out, doc, "generated " + algo + " key " + id + " at '" +
                                                  ota::pkcs11::redact_uri(key) + "'");
  }

  if (*pub) {
    auto key_pub = ota::signer::open_public_key(fs, key, options);
    if (!key_pub) return ota::tools::fail(kTool, key_pub.error(), json_out);
    std::string text = format == "pem" ? key_pub->pem() : tuf_key_document(*key_pub).dump(2) + "\n";
    if (!out.empty()) {
      std::vector<std::pair<std::string, std::string>> inputs;
      for (auto& file : ota::signer::files_read_by(key)) inputs.push_back(std::move(file));
      if (auto why = ota::tools::refuse_output(fs, out, inputs)) return usage(*why, json_out);
      auto written = ota::io::write_atomic(fs, out, ota::io::FileMode::kPublic, [&](ota::io::Writer& w) {
        return w.write(ota::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
      });
      if (!written)
        return ota::tools::fail(kTool, std::move(written).error().with_context("writing '" + out + "'"), json_out);
      return ota::tools::succeed(json_out, tuf_key_document(*key_pub),
                                 "wrote the public key " + ota::crypto::tuf_key_id(*key_pub) + " to '" + out + "'");
    }
    if (json_out) return ota::tools::succeed(true, tuf_key_document(*key_pub), "");
    std::fputs(text.c_str(), stdout);
    return std::fflush(stdout) == 0 ? ota::tools::kExitOk : ota::tools::kExitIo;
  }

  // list
  auto uri = ota::pkcs11::parse_uri(token_uri);
  if (!uri) return ota::tools::fail(kTool, uri.error(), json_out);
  auto token = ota::pkcs11::Token::open(*uri, {options.module_path, options.pin});
  if (!token) return ota::tools::fail(kTool, token.error(), json_out);
  if (auto in = (*token)->login(*uri, options.pin); !in) return ota::tools::fail(kTool, in.error(), json_out);
  auto keys = (*token)->list_keys();
  if (!keys) return ota::tools::fail(kTool, keys.error(), json_out);
  const auto& info = (*token)->info();
  json doc = {{"token", {{"label", info.label}, {"serial", info.serial}, {"manufacturer", info.manufacturer},
                         {"model", info.model}, {"module", info.module}}},
              {"keys", json::array()}};
  for (const auto& k : *keys) doc["keys"].push_back(key_to_json(k));
  if (json_out) return ota::tools::succeed(true, doc, "");
  std::printf("token '%s' (serial %s, %s)\n", info.label.c_str(), info.serial.c_str(), info.module.c_str());
  for (const auto& k : *keys) {
    std::string alg = k.algorithm ? std::string(ota::crypto::to_string(*k.algorithm)) : k.key_type;
    std::string kid = k.public_key ? ota::crypto::tuf_key_id(*k.public_key).substr(0, 16) : "-";
    std::printf("  %-7s %-12s %-24s id=%s key_id=%s\n", k.is_private ? "private" : "public", alg.c_str(),
                k.label.c_str(), ota::to_hex(k.id).c_str(), kid.c_str());
  }
  return std::fflush(stdout) == 0 ? ota::tools::kExitOk : ota::tools::kExitIo;
}
