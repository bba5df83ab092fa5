// libFuzzer target: every parser the bootloader and `ota-image info` run on flash bytes —
// slot images (I5), the boot-control record (C2), the flash-map descriptor (L6) and the
// bootloader key table — and the agent's install journal (U4) must accept or refuse any
// bytes without a crash or undefined behaviour, and what they accept must re-encode to the
// same bytes.

#include "agent/journal.h"
#include "image/bcr.h"
#include "image/flash_map.h"
#include "image/key_table.h"
#include "image/slot_image.h"

using namespace ota;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView bytes(data, size);
  image::TrustPolicy policy;
  policy.judge_signatures = false;  // no trusted keys: signatures are listed, not judged
  policy.hardware_id = "tcu-mcu-revA";
  policy.min_security_counter = 1;
  auto report = image::verify_image(bytes, policy, size / 2 + 64);
  if (report.image && report.image->total_size > size) __builtin_trap();
  if (auto bcr = image::decode_bcr(bytes.first(std::min<size_t>(size, image::kBcrSize)))) {
    if (image::encode_bcr(*bcr) != Bytes(bytes.begin(), bytes.begin() + image::kBcrSize)) __builtin_trap();
  }
  if (auto journal = agent::decode_journal(bytes.first(std::min<size_t>(size, agent::kJournalSize)))) {
    if (agent::encode_journal(*journal) != Bytes(bytes.begin(), bytes.begin() + agent::kJournalSize)) __builtin_trap();
  }
  if (auto layout = image::decode_flash_map(bytes)) {
    const Bytes again = image::encode_flash_map(*layout);
    if (again.size() > size || !std::equal(again.begin(), again.end(), bytes.begin())) __builtin_trap();
  }
  if (auto keys = image::decode_key_table(bytes)) {
    const Bytes again = image::encode_key_table(*keys);
    if (again.size() > size || !std::equal(again.begin(), again.end(), bytes.begin())) __builtin_trap();
  }
  return 0;
}
