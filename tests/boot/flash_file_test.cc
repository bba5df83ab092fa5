// F12 flash image files: loaded by their own flash map or a given layout (L6), written
// back atomically and only when a byte changed.
#include "boot/flash_file.h"

#include "boot/bootloader.h"
#include "device.h"
#include "fakes/mem_storage.h"

namespace ota::boot {
namespace {

class FlashFileTest : public ::testing::TestWithParam<uint8_t> {
 protected:
  void SetUp() override {
    d.factory(d.image(0));
    fs.files["dev/flash.img"] = d.flash.bytes();
  }
  test::Device d{GetParam()};
  ota::testing::MemStorage fs;
};
INSTANTIATE_TEST_SUITE_P(Erased, FlashFileTest, ::testing::Values(uint8_t(0xFF), uint8_t(0x00)), test::erased_name);

TEST_P(FlashFileTest, LoadsByItsOwnFlashMapAndSavesNothingWhenNothingChanged) {
  auto f = FlashFile::load(fs, "dev/flash.img", std::nullopt);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->layout() == d.layout);
  auto r = boot(f->flash(), f->layout());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->booted, 0);
  EXPECT_FALSE(f->changed());
  const int renames = fs.renames;
  auto saved = f->save(fs);
  ASSERT_TRUE(saved);
  EXPECT_FALSE(*saved);
  EXPECT_EQ(fs.renames, renames);
  // Erasing an erased sector is an operation but changes no byte.
  const image::Region& b1 = *d.layout.find("bcr1");
  ASSERT_TRUE(f->flash().erase(b1.offset, b1.size));
  EXPECT_FALSE(f->changed());
}

TEST_P(FlashFileTest, AChangedFlashIsWrittenBackWhole) {
  d.stage(1, d.image(1, {.sec = 2}));
  fs.files["dev/flash.img"] = d.flash.bytes();
  auto f = FlashFile::load(fs, "dev/flash.img", d.layout);  // the same layout: accepted
  ASSERT_TRUE(f) << f.error().message;
  auto r = boot(f->flash(), f->layout());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, BootPath::trial);
  EXPECT_TRUE(f->changed());
  auto saved = f->save(fs);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_TRUE(*saved);
  EXPECT_EQ(fs.files["dev/flash.img"], f->bytes());
  EXPECT_EQ(fs.files.size(), 1u);  // no temporary file left
  EXPECT_FALSE(f->changed());
  // A failed write leaves the file as it was.
  auto again = boot(f->flash(), f->layout());
  ASSERT_TRUE(again);
  const Bytes before = fs.files["dev/flash.img"];
  fs.fail_rename = true;
  EXPECT_FALSE(f->save(fs));
  EXPECT_EQ(fs.files["dev/flash.img"], before);
  EXPECT_EQ(fs.files.size(), 1u);
}

TEST_P(FlashFileTest, AnotherLayoutIsRefusedAndTheFileUntouched) {
  image::Layout other = d.layout;
  other.boot.tries = 4;
  const Bytes before = fs.files["dev/flash.img"];
  auto f = FlashFile::load(fs, "dev/flash.img", other);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::rejected);
  EXPECT_NE(f.error().message.find("differs from the given layout"), std::string::npos) << f.error().message;
  EXPECT_EQ(fs.files["dev/flash.img"], before);
  // No flash map at all, with a layout: refused too; without one: corrupt.
  fs.files["blank.img"] = Bytes(d.layout.geometry.size(), d.layout.geometry.devices[0].erased);
  f = FlashFile::load(fs, "blank.img", d.layout);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::rejected);
  f = FlashFile::load(fs, "blank.img", std::nullopt);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::corrupt);
}

TEST_P(FlashFileTest, ATruncatedFileIsOneLineOfError) {
  fs.files["dev/flash.img"].resize(d.layout.geometry.size() - 4096);
  auto f = FlashFile::load(fs, "dev/flash.img", std::nullopt);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::corrupt);
  EXPECT_EQ(f.error().message, "'dev/flash.img' is 1044480 bytes, the flash of 'mcu-example' is 1048576: truncated, or not an image of this device");
  EXPECT_FALSE(FlashFile::load(fs, "absent.img", std::nullopt));
}

}  // namespace
}  // namespace ota::boot
