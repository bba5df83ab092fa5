// ota-sign: sign a file with a key in a PKCS#11 token or a development PEM file,
// and verify such signatures (docs/cli.md, docs/signing.md).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/output_path.h"
#include "common/pin.h"
#include "common/cli.h"
#include "common/report.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "crypto/tuf_key.h"
#include "io/posix_storage.h"
#include "io/write_atomic.h"
#include "pkcs11/uri.h"
#include "signer/audited_signer.h"
#include "signer/key_ref.h"
#include "signer/signer.h"

namespace {

constexpr const char* kTool = "ota-sign";
using ota::Error;
using ota::Errc;

int usage(const std::string& message, bool json) {
  return ota::tools::fail(kTool, Error{Errc::invalid_argument, message + "; see 'ota-sign --help'"}, json);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-sign: sign files with HSM (PKCS#11) or development keys, and verify signatures"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Key references: pkcs11:token=LABEL;object=KEY[?pin-source=file:PATH] (RFC 7512) or\n"
      "file:PATH (PEM, development only). The PIN comes from the URI, OTA_PKCS11_PIN, or a\n"
      "prompt when stdin is a terminal; never from the command line.\n"
      "Examples:\n"
      "  ota-sign --key 'pkcs11:token=fleet;object=targets-1' --in fw.bin --out fw.sig\n"
      "  ota-sign verify --pub targets-1.pem --in fw.bin --sig fw.sig\n"
      "Exit codes: 0 ok, 1 bad data, 2 usage, 3 rejected (signature, passphrase), 4 file error,\n"
      "5 HSM error (PIN, token, key, module).");
  bool json = false;
  app.add_flag("--json", json, "print one JSON document on stdout (messages stay on stderr)");
  app.fallthrough();
  std::string key, in, out, algo, role, audit_log, module;
  app.add_option("--key", key, "key reference that signs (pkcs11: URI or file:PATH)");
  app.add_option("--in", in, "the file to sign");
  app.add_option("--out", out, "where to write the signature (raw bytes)");
  app.add_option("--algo", algo, "refuse a key that is not ed25519, ecdsa-p256 or rsa-pss-3072")
      ->check(CLI::IsMember({"ed25519", "ecdsa-p256", "rsa-pss-3072"}));
  app.add_option("--role", role, "TUF/Uptane role the key serves, recorded in the audit log");
  app.add_option("--audit-log", audit_log,
                 "append a hash-chained record of the signature to this file (default: $OTA_AUDIT_LOG)");
  app.add_option("--module", module, "PKCS#11 module to load instead of p11-kit's registered ones");

  std::string pub, sig;
  auto* verify = app.add_subcommand("verify", "check a signature with a public key");
  verify->add_option("--pub", pub,
                     "public key: PEM or TUF key JSON file, pkcs11: URI, or file:PRIVATE.pem")
      ->required();
  verify->add_option("--in", in, "the signed file")->required();
  verify->add_option("--sig", sig, "the signature file")->required();
  verify->footer("Example:\n  ota-sign verify --pub root-1.json --in root.bin --sig root.sig --json");

  if (auto stop = ota::tools::parse_command_line(app, argc, argv, kTool, json)) return *stop;


  ota::io::PosixStorage fs;
  ota::Secret passphrase;
  ota::signer::OpenOptions options = ota::tools::key_open_options(module, passphrase);
  if (!algo.empty()) options.expect = *ota::crypto::parse_algorithm(algo);

  if (*verify) {
    auto key_pub = ota::signer::open_public_key(fs, pub, options);
    if (!key_pub) return ota::tools::fail(kTool, key_pub.error(), json);
    auto data = fs.open_input(in);
    if (!data) return ota::tools::fail(kTool, data.error(), json);
    auto signature = fs.open_input(sig);
    if (!signature) return ota::tools::fail(kTool, signature.error(), json);
    const std::string key_id = ota::crypto::tuf_key_id(*key_pub);
    if (auto ok = key_pub->verify((*data)->bytes(), (*signature)->bytes()); !ok)
      return ota::tools::fail(kTool, Error{Errc::rejected, "signature '" + sig + "' over '" + in +
                                                              "' does not verify with key " +
                                                              key_id.substr(0, 12) + "…: " +
                                                              ok.error().message},
                              json);
    nlohmann::json doc = {{"verified", true},
                          {"key_id", key_id},
                          {"algorithm", std::string(ota::crypto::to_string(key_pub->algorithm()))},
                          {"input", in},
                          {"input_sha256", ota::to_hex(ota::crypto::sha256((*data)->bytes()))},
                          {"signature", sig}};
    return ota::tools::succeed(json, doc, "verified: '" + sig + "' signs '" + in + "' with key " + key_id);
  }

  if (key.empty() || in.empty() || out.empty())
    return usage("--key, --in and --out are required to sign", json);
  if (audit_log.empty())
    if (const char* env = std::getenv("OTA_AUDIT_LOG"); env && *env) audit_log = env;
  std::vector<std::pair<std::string, std::string>> inputs{{"the input file", in}, {"the audit log", audit_log}};
  for (auto& file : ota::signer::files_read_by(key)) inputs.push_back(std::move(file));
  if (auto why = ota::tools::refuse_output(fs, out, inputs)) return usage(*why, json);

  auto data = fs.open_input(in);
  if (!data) return ota::tools::fail(kTool, data.error(), json);
  auto signer = ota::signer::open_signer(fs, key, options);
  if (!signer) return ota::tools::fail(kTool, signer.error(), json);
  ota::signer::Signer* use = signer->get();
  std::optional<ota::signer::AuditedSigner> audited;
  if (!audit_log.empty()) use = &audited.emplace(**signer, ota::signer::AuditTrail{audit_log, role, kTool, "sign"});
  auto signature = use->sign((*data)->bytes());
  if (!signature) return ota::tools::fail(kTool, signature.error(), json);
  auto written = ota::io::write_atomic(fs, out, ota::io::FileMode::kPublic,
                                       [&](ota::io::Writer& w) { return w.write(*signature); });
  if (!written) return ota::tools::fail(kTool, std::move(written).error().with_context("writing '" + out + "'"), json);

  const std::string key_id = use->key_id();
  nlohmann::json doc = {{"key", ota::pkcs11::redact_uri(key)},
                        {"key_id", key_id},
                        {"algorithm", std::string(ota::crypto::to_string(use->algorithm()))},
                        {"input", in},
                        {"input_sha256", ota::to_hex(ota::crypto::sha256((*data)->bytes()))},
                        {"signature", out},
                        {"signature_hex", ota::to_hex(*signature)},
                        {"role", role.empty() ? nlohmann::json() : nlohmann::json(role)},
                        {"audit_log", audit_log.empty() ? nlohmann::json() : nlohmann::json(audit_log)}};
  return ota::tools::succeed(json, doc, "signed '" + in + "' with key " + key_id + " (" +
                                            std::string(ota::crypto::to_string(use->algorithm())) +
                                            ") -> '" + out + "'");
}
