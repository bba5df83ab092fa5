// libFuzzer target: what a TUF client reads from a repository before any signature is
// checked — the envelope, the four role documents (delegations and succinct hash bins
// included) — and the names it derives from repository strings must take any bytes
// without a crash, a leak or undefined behaviour. Accepted documents survive their own
// serialisation, and a derived file name never leaves its directory.

#include <string>
#include <string_view>

#include "client/names.h"
#include "metadata/envelope.h"
#include "metadata/metadata.h"

using namespace ota;

static void check_name(std::string_view name) {
  const std::string file = client::quote_file_name(name);
  if (file.empty() || file[0] == '.' || file.find('/') != std::string::npos || file.find('\0') != std::string::npos)
    __builtin_trap();
  const std::string url = client::encode_target_path(name);
  for (size_t begin = 0;;) {  // no dot segment reaches the URL
    const size_t slash = url.find('/', begin);
    const std::string_view seg = std::string_view(url).substr(begin, slash == std::string::npos ? slash : slash - begin);
    if (seg == "." || seg == "..") __builtin_trap();
    if (slash == std::string::npos) break;
    begin = slash + 1;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_name(std::string_view(reinterpret_cast<const char*>(data), size));
  auto envelope = metadata::parse_envelope(ByteView(data, size), 1 << 20);
  if (!envelope) return 0;
  const auto& s = envelope->signed_;
  if (auto root = metadata::root_from_json(s)) {
    if (!metadata::root_from_json(metadata::to_json(*root))) __builtin_trap();
  }
  if (auto targets = metadata::targets_from_json(s)) {
    if (!metadata::targets_from_json(metadata::to_json(*targets))) __builtin_trap();
    if (targets->delegations) {
      for (const auto& role : targets->delegations->roles) check_name(role.name);
      if (const auto& bins = targets->delegations->succinct) {
        const std::string bin = bins->bin_for("fuzz/target");
        if (!bins->is_bin(bin)) __builtin_trap();
      }
    }
  }
  if (auto snapshot = metadata::snapshot_from_json(s)) {
    if (!metadata::snapshot_from_json(metadata::to_json(*snapshot))) __builtin_trap();
  }
  if (auto timestamp = metadata::timestamp_from_json(s)) {
    if (!metadata::timestamp_from_json(metadata::to_json(*timestamp))) __builtin_trap();
  }
  return 0;
}
