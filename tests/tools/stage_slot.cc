// stage_slot FLASH.img a|b SLOTIMG: the update agent's install and commit (BOOT-SPEC §4.5
// table: slot INSTALLING, erase + write, then one BCR write making it PENDING with
// priority 15 and the layout's tries) done on a flash image file, without any check of the
// image, so the CLI tests can hand ota-boot a pending slot, good or bad. A test helper, not
// the agent.
#include <cstdio>
#include <string>
#include <variant>

#include "boot/flash_file.h"
#include "image/bcr.h"
#include "image/device_trust.h"
#include "io/posix_storage.h"

using namespace ota;

static int die(const std::string& why) {
  std::fprintf(stderr, "stage_slot: %s\n", why.c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[2]) != "a" && std::string(argv[2]) != "b"))
    return die("usage: stage_slot FLASH.img a|b SLOTIMG");
  io::PosixStorage fs;
  auto file = boot::FlashFile::load(fs, argv[1], std::nullopt);
  if (!file) return die(file.error().message);
  auto in = fs.open_input(argv[3]);
  if (!in) return die(in.error().message);
  const ByteView img = (*in)->bytes();
  const int slot = argv[2][0] - 'a';
  const image::Layout& layout = file->layout();
  const image::Region& region = layout.slot(slot);
  if (img.size() > region.size) return die("the image does not fit the slot");

  image::BcrStore store(file->flash(), layout);
  auto loaded = store.load();
  if (!loaded) return die(loaded.error().message);
  image::BootControl rec = loaded->record;
  rec.slot[size_t(slot)] = {image::SlotState::installing, 0, 0, image::FailReason::none, 0, 0};
  rec.op = image::BcrOp::install_started;
  if (auto w = store.write(rec); !w) return die(w.error().message);
  if (auto e = file->flash().erase(region.offset, region.size); !e) return die(e.error().message);
  const size_t granule = layout.device_of(region).write_size;
  Bytes padded(img.begin(), img.end());
  padded.resize((padded.size() + granule - 1) / granule * granule, layout.device_of(region).erased);
  if (auto p = flash::program_pages(file->flash(), region.offset, padded); !p) return die(p.error().message);
  auto parsed = image::parse_image(img);
  const auto* good = std::get_if<image::ParsedImage>(&parsed);
  rec.slot[size_t(slot)] = {image::SlotState::pending, 15, layout.boot.tries, image::FailReason::none,
                            good ? good->security_counter : 0, good ? image::record_digest32(*good) : 0};
  rec.pending_slot = uint8_t(slot);
  rec.op = image::BcrOp::activate;
  if (auto w = store.write(rec); !w) return die(w.error().message);
  if (auto s = file->save(fs); !s) return die(s.error().message);
  return 0;
}
