// ota-image: signed slot images in MCUboot's container, dual-bank factory flash images
// from a YAML layout, and their inspection (docs/cli.md, docs/image-format.md).
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "common/cli.h"
#include "common/output_path.h"
#include "common/pin.h"
#include "common/report.h"
#include "core/hex.h"
#include "crypto/sha256.h"
#include "flash/mem_flash.h"
#include "image/factory.h"
#include "image/layout.h"
#include "io/posix_storage.h"
#include "io/write_atomic.h"
#include "ota-image/json.h"
#include "ota-image/options.h"
#include "signer/audited_signer.h"
#include "signer/key_ref.h"

namespace {

using namespace ota;
using nlohmann::json;
constexpr const char* kTool = "ota-image";

// Slot images become part of the factory request; other inputs are read in place.
Result<Bytes> read_all(io::Storage& fs, const std::string& path) {
  auto in = fs.open_input(path);
  if (!in) return std::move(in).error();
  return Bytes((*in)->bytes().begin(), (*in)->bytes().end());
}

Result<void> write_out(io::Storage& fs, const std::string& path, ByteView bytes) {
  auto w = io::write_atomic(fs, path, io::FileMode::kPublic, [&](io::Writer& out) { return out.write(bytes); });
  if (!w) return std::move(w).error().with_context("writing '" + path + "'");
  return {};
}

Result<std::vector<crypto::PublicKey>> open_keys(io::Storage& fs, const std::vector<std::string>& refs,
                                                 const signer::OpenOptions& options) {
  std::vector<crypto::PublicKey> keys;
  for (const auto& ref : refs) {
    auto k = signer::open_public_key(fs, ref, options);
    if (!k) return std::move(k).error().with_context("--trust '" + ref + "'");
    keys.push_back(std::move(*k));
  }
  return keys;
}

image::TrustPolicy policy_of(const std::vector<crypto::PublicKey>& keys, uint8_t threshold) {
  image::TrustPolicy p;
  for (const auto& k : keys) {
    p.keys.push_back(k);
    p.trusted.push_back(image::key_hash(k));
  }
  p.threshold = threshold;
  return p;
}

Errc errc_of(image::VerifyCode code) {
  switch (code) {
    case image::VerifyCode::invalid_magic:
    case image::VerifyCode::invalid_header:
    case image::VerifyCode::invalid_tlv_info_magic:
    case image::VerifyCode::invalid_tlv: return Errc::corrupt;
    case image::VerifyCode::too_large: return Errc::too_large;
    default: return Errc::rejected;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-image: MCUboot-compatible signed slot images and dual-bank (A/B) factory flash images"};
  app.set_version_flag("--version", std::string(kTool) + " " + OTA_VERSION);
  app.footer(
      "Examples:\n"
      "  ota-image sign --key 'pkcs11:token=fleet;object=image-1' --in fw.bin --version 1.2.0 \\\n"
      "      --hw-id tcu-revA --security-counter auto --out fw-1.2.0.slot\n"
      "  ota-image build --layout mcu.layout.yaml --trust image-1.pem --slot-a fw-1.2.0.slot --out factory.img\n"
      "  ota-image info factory.img --json\n"
      "  ota-image verify fw-1.2.0.slot --trust image-1.pem --hw-id tcu-revA\n"
      "Exit codes: 0 ok, 1 malformed image or layout data, 2 usage or invalid layout, 3 rejected\n"
      "(hash, signature, hardware id, security counter), 4 file error, 5 HSM error. See docs/cli.md.");
  bool json_out = false;
  app.add_flag("--json", json_out, "print one JSON document on stdout (messages stay on stderr)");
  app.require_subcommand(1);
  app.fallthrough();
  tools::ImageOptions o;
  auto* sign = tools::add_sign_command(app, o);
  auto* build = tools::add_build_command(app, o);
  auto* info = tools::add_info_command(app, o);
  auto* verify = tools::add_verify_command(app, o);
  if (auto stop = tools::parse_command_line(app, argc, argv, kTool, json_out)) return *stop;

  io::PosixStorage fs;
  Secret passphrase;
  signer::OpenOptions key_options = tools::key_open_options(o.module, passphrase);
  auto fail = [&](const Error& e) { return tools::fail(kTool, e, json_out); };
  auto usage = [&](const std::string& why) {
    return fail(Error{Errc::invalid_argument, why + "; see 'ota-image " + app.get_subcommands().front()->get_name() + " --help'"});
  };

  if (*sign) {
    auto spec = tools::image_spec(fs, o);
    if (!spec) return spec.error().code == Errc::invalid_argument ? usage(spec.error().message) : fail(spec.error());
    std::vector<std::pair<std::string, std::string>> inputs{{"the input file", o.in}, {"the audit log", o.audit_log}};
    for (const auto& k : o.keys)
      for (auto& f : signer::files_read_by(k)) inputs.push_back(std::move(f));
    for (const auto& f : o.fix_sigs) inputs.push_back({"a --fix-sig file", f});
    for (const auto& f : o.fix_sig_pubkeys) inputs.push_back({"a --fix-sig-pubkey file", f});
    if (!o.layout.empty()) inputs.push_back({"the layout", o.layout});
    if (auto why = tools::refuse_output(fs, o.out, inputs)) return usage(*why);
    auto payload = fs.open_input(o.in);
    if (!payload) return fail(std::move(payload).error().with_context("--in"));
    auto region = image::build_signed_region((*payload)->bytes(), *spec);
    if (!region) return fail(region.error());
    if (!o.vector_to_sign.empty()) {
      // The offline ceremony's first half: the bytes a signer elsewhere must sign.
      const auto digest = crypto::sha256(*region);
      const ByteView vec = o.vector_to_sign == "digest" ? ByteView(digest) : ByteView(*region);
      if (auto w = write_out(fs, o.out, vec); !w) return fail(w.error());
      json doc = {{"vector_to_sign", o.vector_to_sign}, {"out", o.out}, {"length", vec.size()},
                  {"digest", to_hex(ByteView(digest))}};
      return tools::succeed(json_out, doc, "wrote the " + o.vector_to_sign + " to sign (" + std::to_string(vec.size()) +
                                               " bytes, image digest " + to_hex(ByteView(digest)) + ") to '" + o.out + "'");
    }
    auto detached = tools::fixed_signatures(fs, o, key_options);
    if (!detached) return fail(detached.error());
    for (size_t i = 0; i < detached->size(); ++i) {
      const auto& d = (*detached)[i];
      if (!d.key.verify(image::message_to_sign(d.key.algorithm(), *region), d.signature))
        return fail(Error{Errc::rejected, "--fix-sig '" + o.fix_sigs[i] + "' does not verify over this image with --fix-sig-pubkey '" +
                                              o.fix_sig_pubkeys[i] + "' (" + std::string(crypto::to_string(d.key.algorithm())) +
                                              "): sign the --vector-to-sign " +
                                              (d.key.algorithm() == crypto::Algorithm::ed25519 ? "digest" : "payload") +
                                              " made with the same options"});
    }
    std::vector<std::unique_ptr<signer::Signer>> signers;
    std::vector<std::unique_ptr<signer::AuditedSigner>> audited;
    for (const auto& ref : o.keys) {
      auto s = signer::open_signer(fs, ref, key_options);
      if (!s) return fail(s.error());
      signers.push_back(std::move(*s));
      if (!o.audit_log.empty())
        audited.push_back(std::make_unique<signer::AuditedSigner>(*signers.back(), signer::AuditTrail{o.audit_log, "image", kTool, "sign"}));
    }
    // Before any signature (and audit record), an image that cannot fit is refused. With
    // ECDSA's variable DER length (at most 72 bytes) the bound is 2 bytes high per signer.
    if (o.slot_size) {
      size_t bound = region->size() + 4 + 36;
      for (const auto& d : *detached) bound += 40 + d.signature.size();
      for (const auto& s : signers)
        bound += 40 + (s->algorithm() == crypto::Algorithm::ed25519 ? 64 : s->algorithm() == crypto::Algorithm::ecdsa_p256 ? 72 : 384);
      if (bound > *o.slot_size)
        return fail(Error{Errc::invalid_argument, "the signed image would be " + std::to_string(bound) + " bytes, " +
                                                      std::to_string(bound - *o.slot_size) + " more than the slot holds (" +
                                                      std::to_string(*o.slot_size) + ")"});
    }
    for (size_t i = 0; i < signers.size(); ++i) {
      signer::Signer& s = audited.empty() ? *signers[i] : static_cast<signer::Signer&>(*audited[i]);
      auto sig = s.sign(image::message_to_sign(s.algorithm(), *region));
      if (!sig) return fail(std::move(sig).error().with_context("signing with " + s.reference()));
      detached->push_back({s.public_key(), std::move(*sig)});
    }
    auto signed_image = image::assemble_image(*region, *detached);
    if (!signed_image) return fail(signed_image.error());
    auto parsed = image::parse_image(*signed_image);
    const auto& img = std::get<image::ParsedImage>(parsed);  // we just wrote it
    if (auto w = write_out(fs, o.out, *signed_image); !w) return fail(w.error());
    json doc = tools::to_json(img, *signed_image);
    doc["out"] = o.out;
    return tools::succeed(json_out, doc, "signed '" + o.in + "' as version " + image::to_string(img.version) + " for '" +
                                             img.hardware_id + "' (SEC_CNT " + std::to_string(img.security_counter) + ", " +
                                             std::to_string(img.signatures.size()) + " signature" +
                                             (img.signatures.size() == 1 ? "" : "s") + ", digest " +
                                             to_hex(ByteView(img.sha256)).substr(0, 16) + "…) -> '" + o.out + "'");
  }

  if (*build) {
    auto layout = tools::load_layout(fs, o.layout);
    if (!layout) return fail(layout.error());
    std::vector<std::pair<std::string, std::string>> inputs{{"the layout", o.layout}, {"the slot A image", o.slot_a}};
    if (!o.slot_b.empty()) inputs.push_back({"the slot B image", o.slot_b});
    for (const auto& t : o.trust) {
      inputs.push_back({"a --trust key", t});
      for (auto& f : signer::files_read_by(t)) inputs.push_back(std::move(f));
    }
    if (auto why = tools::refuse_output(fs, o.out, inputs)) return usage(*why);
    image::FactoryRequest req;
    auto keys = open_keys(fs, o.trust, key_options);
    if (!keys) return fail(keys.error());
    req.trust = std::move(*keys);
    req.threshold = o.threshold;
    auto a = read_all(fs, o.slot_a);
    if (!a) return fail(a.error());
    req.slot_a = std::move(*a);
    if (!o.slot_b.empty()) {
      auto b = read_all(fs, o.slot_b);
      if (!b) return fail(b.error());
      req.slot_b = std::move(*b);
    }
    flash::MemFlash flash(layout->geometry);
    auto made = image::build_factory(flash, *layout, req);
    if (!made) return fail(made.error());
    if (auto w = write_out(fs, o.out, flash.bytes()); !w) return fail(w.error());
    json slots = json::array();
    for (const auto& r : made->slots) slots.push_back(tools::to_json(*r.image, {}));
    json doc = {{"out", o.out},
                {"size", flash.bytes().size()},
                {"sha256", to_hex(ByteView(crypto::sha256(flash.bytes())))},
                {"layout", tools::to_json(*layout)},
                {"anti_rollback_counter", made->counter},
                {"boot_control", tools::to_json(made->bcr)},
                {"slots", slots}};
    return tools::succeed(json_out, doc, "wrote the factory image of '" + layout->device + "' (" +
                                             std::to_string(flash.bytes().size()) + " bytes; slot A " +
                                             image::to_string(made->slots[0].image->version) + " confirmed" +
                                             (made->slots.size() > 1 ? ", slot B " + image::to_string(made->slots[1].image->version) : "") +
                                             ", anti-rollback counter " + std::to_string(made->counter) + ") -> '" + o.out + "'");
  }

  if (*info) {
    auto file = fs.open_input(o.file);
    if (!file) return fail(file.error());
    const ByteView bytes = (*file)->bytes();
    const bool slot_image = bytes.size() >= 4 && load_le32(bytes.data()) == image::kImageMagic;
    if (slot_image) {
      auto keys = open_keys(fs, o.trust, key_options);
      if (!keys) return fail(keys.error());
      image::TrustPolicy p = policy_of(*keys, o.threshold);
      if (!o.hw_id.empty()) p.hardware_id = o.hw_id;
      p.vendor = o.vendor;
      p.judge_signatures = !o.trust.empty();  // without --trust: list the signatures only
      auto report = image::verify_image(bytes, p);
      if (!report.image) return fail(Error{errc_of(report.code), std::string(image::to_string(report.code)) + ": " + report.message});
      json doc = {{"kind", "slot-image"}, {"file", o.file}};
      doc.update(tools::to_json(*report.image, bytes));
      doc["verification"] = tools::to_json(report);
      if (json_out) return tools::succeed(true, doc, "");
      std::printf("%s", tools::describe(*report.image, o.trust.empty() && o.hw_id.empty() ? nullptr : &report).c_str());
      return std::fflush(stdout) == 0 ? tools::kExitOk : tools::kExitIo;
    }
    std::optional<image::Layout> layout;
    if (!o.layout.empty()) {
      auto l = tools::load_layout(fs, o.layout);
      if (!l) return fail(l.error());
      layout = std::move(*l);
    }
    auto inspected = image::inspect_flash(bytes, layout);
    if (!inspected) return fail(std::move(inspected).error().with_context("'" + o.file + "' is neither a slot image nor a usable flash image"));
    json doc = tools::to_json(*inspected);
    doc["file"] = o.file;
    if (json_out) return tools::succeed(true, doc, "");
    std::printf("%s", tools::describe(*inspected).c_str());
    return std::fflush(stdout) == 0 ? tools::kExitOk : tools::kExitIo;
  }

  if (*verify) {
    auto keys = open_keys(fs, o.trust, key_options);
    if (!keys) return fail(keys.error());
    auto file = fs.open_input(o.file);
    if (!file) return fail(file.error());
    image::TrustPolicy p = policy_of(*keys, o.threshold);
    if (!o.hw_id.empty()) p.hardware_id = o.hw_id;
    p.vendor = o.vendor;
    p.min_security_counter = o.min_security_counter;
    if (o.slot_address) p.slot_address = uint32_t(*o.slot_address);
    auto report = image::verify_image((*file)->bytes(), p, o.slot_size);
    if (report.code != image::VerifyCode::ok)
      return fail(Error{errc_of(report.code), "'" + o.file + "': " + std::string(image::to_string(report.code)) + ": " + report.message});
    json doc = tools::to_json(report);
    doc["file"] = o.file;
    doc["digest"] = to_hex(ByteView(report.image->sha256));
    doc["version"] = image::to_string(report.image->version);
    doc["security_counter"] = report.image->security_counter;
    doc["hardware_id"] = report.image->hardware_id;
    return tools::succeed(json_out, doc, "OK: '" + o.file + "' version " + image::to_string(report.image->version) +
                                             ", " + std::to_string(report.trusted_signatures) + " trusted signature" +
                                             (report.trusted_signatures == 1 ? "" : "s") + ", digest " +
                                             to_hex(ByteView(report.image->sha256)));
  }
  return tools::kExitUsage;
}
