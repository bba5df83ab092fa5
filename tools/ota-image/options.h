// ota-image's command line: the options of each subcommand, and turning them into the
// library's requests (docs/cli.md).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "image/layout.h"
#include "image/slot_image.h"
#include "io/storage.h"
#include "signer/signer.h"

namespace ota::tools {

struct ImageOptions {
  // sign
  std::vector<std::string> keys;
  std::string in, out, version, security_counter, vendor = "ota-toolchain", hw_id, rom_fixed, build_info;
  std::string vector_to_sign, audit_log, module, erased = "0xff", slot;
  std::vector<std::string> fix_sigs, fix_sig_pubkeys, dependencies;
  uint16_t header_size = 32;
  std::optional<uint16_t> image_type;
  // build / info / verify
  std::string layout, slot_a, slot_b, file;
  std::vector<std::string> trust;
  uint8_t threshold = 1;
  std::optional<uint32_t> min_security_counter;
  std::optional<uint64_t> slot_size, slot_address;
  std::string slot_size_text;
};

CLI::App* add_sign_command(CLI::App& app, ImageOptions& o);
CLI::App* add_build_command(CLI::App& app, ImageOptions& o);
CLI::App* add_info_command(CLI::App& app, ImageOptions& o);
CLI::App* add_verify_command(CLI::App& app, ImageOptions& o);

// Reads and validates a layout file.
Result<image::Layout> load_layout(io::Storage& fs, const std::string& path);

// The sign options as an ImageSpec; with --layout and --slot also the slot's size
// (L5) and execution address (ROM_FIXED, L4) into `o`.
Result<image::ImageSpec> image_spec(io::Storage& fs, ImageOptions& o);

// Each --fix-sig (base64 text as imgtool writes it, or raw bytes as ota-sign writes
// them) with its --fix-sig-pubkey.
Result<std::vector<image::DetachedSignature>> fixed_signatures(io::Storage& fs, const ImageOptions& o,
                                                               const signer::OpenOptions& options);

}  // namespace ota::tools
