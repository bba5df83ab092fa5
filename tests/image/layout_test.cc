// parse_layout, validate_layout and layout_to_yaml (BOOT-SPEC L1-L6): the examples, the
// number syntax, and one rejection per rule whose message names the region and numbers.
#include "image/layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ota::image {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Every examples/*.layout.yaml, so a new example is covered without editing this test.
std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(OTA_EXAMPLES)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 12 && name.ends_with(".layout.yaml")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(OTA_EXAMPLES) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// 16 sectors of 4 KiB; every rule holds. Tests change one thing with edit().
const std::string kBase = R"(device:
  name: t1
  hardware_id: hw-1
  size: 64KiB
  sector_size: 4KiB
  write_size: 8
  page_size: 256
regions:
  - {name: bootloader, offset: 0x0, size: 0x1000}
  - {name: rot, offset: 0x1000, size: 0x1000}
  - {name: bcr0, offset: 0x2000, size: 0x1000}
  - {name: bcr1, offset: 0x3000, size: 0x1000}
  - {name: slot_a, offset: 0x4000, size: 0x6000, exec_addr: 0x08004000}
  - {name: slot_b, offset: 0xa000, size: 0x6000, exec_addr: 0x0800a000}
)";

std::string edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the document";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of a rejected document; fails the test if it was accepted or threw.
std::string rejection(const std::string& yaml) {
  auto parsed = parse_layout(yaml);
  if (parsed) {
    ADD_FAILURE() << "accepted:\n" << yaml;
    return "";
  }
  EXPECT_EQ(parsed.error().code, Errc::invalid_argument);
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos) << parsed.error().message;
  return parsed.error().message;
}

Layout base() {
  auto l = parse_layout(kBase);
  EXPECT_TRUE(l) << l.error().message;
  return *l;
}

TEST(LayoutExamples, EveryExampleParsesAndRoundTrips) {
  const std::vector<std::string> names = example_names();
  EXPECT_GE(names.size(), 3u);
  for (const std::string& name : names) {
    auto l = parse_layout(read_example(name));
    ASSERT_TRUE(l) << name << ": " << l.error().message;
    auto again = parse_layout(layout_to_yaml(*l));
    ASSERT_TRUE(again) << name << ": " << again.error().message << "\n" << layout_to_yaml(*l);
    EXPECT_EQ(*again, *l) << layout_to_yaml(*l);
    EXPECT_TRUE(std::is_sorted(l->regions.begin(), l->regions.end(),
                               [](const Region& a, const Region& b) { return a.offset < b.offset; }));
  }
}

TEST(LayoutExamples, McuHasUniformSectorsAndExecAddresses) {
  auto l = parse_layout(read_example("mcu-1mib.layout.yaml"));
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->geometry.devices[0].sectors.size(), 1u);
  EXPECT_EQ(l->geometry.devices[0].sectors[0].size, 4096u);
  EXPECT_EQ(l->geometry.devices[0].sectors[0].count, 256u);
  EXPECT_EQ(l->geometry.devices[0].write_size, 8u);
  EXPECT_EQ(l->geometry.devices[0].page_size, 256u);
  EXPECT_EQ(l->geometry.devices[0].erased, 0xff);
  EXPECT_EQ(l->hardware_id, "tcu-mcu-revA");
  EXPECT_EQ(l->vendor, "example.com");
  EXPECT_EQ(l->slot(0).offset, 0x20000u);
  EXPECT_EQ(l->slot(1).exec_addr, 0x08090000u);
  EXPECT_EQ(l->slot(0).size, l->slot(1).size);
  ASSERT_NE(l->find("scratch"), nullptr);
  EXPECT_EQ(l->find("scratch")->size, 0xd000u);
  EXPECT_EQ(l->find("recovery"), nullptr);
  EXPECT_EQ(l->regions[4].name, "scratch");  // sorted by offset, not file order
}

TEST(LayoutExamples, Stm32HasMixedSectorsAndDefaults) {
  auto l = parse_layout(read_example("stm32f4-like.layout.yaml"));
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->geometry.devices[0].sectors.size(), 3u);
  EXPECT_EQ(l->geometry.devices[0].sectors[1].size, 0x10000u);
  EXPECT_EQ(l->geometry.devices[0].sectors[2].count, 7u);
  EXPECT_EQ(l->geometry.devices[0].page_size, 0u);
  EXPECT_EQ(l->vendor, "ota-toolchain");
  EXPECT_EQ(l->boot, BootPolicy{});
  EXPECT_EQ(l->counter_slots, 64u);
  EXPECT_EQ(l->find("bcr1")->size, 0x10000u);
}

TEST(LayoutExamples, LinuxHasThreeBcrCopiesAndZeroErase) {
  auto l = parse_layout(read_example("linux-2x256mib.layout.yaml"));
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->geometry.devices[0].erased, 0x00);
  EXPECT_EQ(l->geometry.devices[0].sectors[0].size * l->geometry.devices[0].sectors[0].count, uint64_t{1} << 30);
  EXPECT_EQ(l->slot(0).size, uint64_t{256} << 20);
  EXPECT_FALSE(l->slot(0).exec_addr.has_value());
  const auto copies = l->bcr_copies();
  ASSERT_EQ(copies.size(), 3u);
  EXPECT_EQ(copies[0]->name, "bcr0");
  EXPECT_EQ(copies[2]->name, "bcr2");
  EXPECT_TRUE(l->boot.prevent_late_fallback);
  EXPECT_EQ(l->counter_slots, 1024u);
}

TEST(LayoutExamples, Stm32SpiHasTwoFlashesInOneAddressSpace) {
  auto l = parse_layout(read_example("stm32f4-spi.layout.yaml"));
  ASSERT_TRUE(l) << l.error().message;
  const flash::Geometry& g = l->geometry;
  ASSERT_EQ(g.devices.size(), 2u);
  EXPECT_EQ(g.devices[0].name, "internal");
  EXPECT_EQ(g.devices[1].name, "spi");
  EXPECT_EQ(g.devices[1].page_size, 256u);
  EXPECT_EQ(g.size(), 5u << 20);
  EXPECT_EQ(l->slot(0).offset, 0x20000u);
  EXPECT_EQ(l->slot(1).offset, 0x100000u + 0x100000u);  // the SPI flash starts at 1 MiB
  EXPECT_EQ(&l->device_of(l->slot(1)), &g.devices[1]);
  EXPECT_EQ(l->find("bcr2")->offset, 0x100000u);
  EXPECT_EQ(l->bcr_copies().size(), 3u);
  EXPECT_EQ(l->regions.back().name, "slot_b");  // sorted by address over both flashes
}

const std::string kTwoFlashes = R"(device:
  name: t2
  hardware_id: hw-1
  flashes:
    - {name: int, size: 32KiB, sector_size: 4KiB, write_size: 8, erased: 0x00}
    - {name: ext, size: 64KiB, sector_size: 4KiB, write_size: 1, page_size: 256}
regions:
  - {name: bootloader, offset: 0x0, size: 0x1000}
  - {name: rot, offset: 0x1000, size: 0x1000}
  - {name: bcr0, offset: 0x2000, size: 0x1000}
  - {name: bcr1, flash: ext, offset: 0x0, size: 0x1000}
  - {name: slot_a, offset: 0x4000, size: 0x4000}
  - {name: slot_b, flash: ext, offset: 0x4000, size: 0x4000}
)";

TEST(LayoutParse, ReadsSeveralFlashesAndRegionsOnEach) {
  auto l = parse_layout(kTwoFlashes);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->geometry.devices[0].erased, 0x00);
  EXPECT_EQ(l->geometry.devices[1].erased, 0xff);  // the default, per flash
  EXPECT_EQ(l->find("bcr1")->offset, 0x8000u);
  EXPECT_EQ(l->slot(1).offset, 0xc000u);
  auto again = parse_layout(layout_to_yaml(*l));
  ASSERT_TRUE(again) << again.error().message << "\n" << layout_to_yaml(*l);
  EXPECT_EQ(*again, *l);
  EXPECT_THAT(layout_to_yaml(*l), HasSubstr("{name: \"slot_b\", flash: \"ext\", offset: 0x4000, size: 0x4000}"));
}

TEST(LayoutValidate, RejectsBadFlashLists) {
  EXPECT_THAT(rejection(edit(kTwoFlashes, "flash: ext, offset: 0x4000", "flash: spi, offset: 0x4000")),
              HasSubstr("region 'slot_b' flash 'spi' is not in device.flashes ('int', 'ext')"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "flash: ext, offset: 0x4000", "flash: ext, offset: 0xe000")),
              HasSubstr("region 'slot_b' (offset 0xe000, size 0x4000) passes the end of flash 'ext' (0x10000)"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "{name: ext,", "{name: int,")),
              HasSubstr("flash 'int' appears twice in device.flashes"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "{name: ext,", "{name: \"a b\",")),
              HasSubstr("flash name 'a b' must be 1-15 letters"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "  flashes:", "  size: 1MiB\n  flashes:")),
              HasSubstr("device.size: with device.flashes, each flash gives its own geometry"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "write_size: 1, page_size: 256", "write_size: 1, page_size: 256, "
                                                                           "erased: 0x7f")),
              HasSubstr("flash 'ext' erased is 0x7f; use 0xff or 0x00"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "write_size: 1, page_size: 256", "page_size: 256")),
              HasSubstr("device.flashes[1]: missing field 'write_size'"));
  // The internal flash ends at 0x7000: the external one would start inside its 4 KiB sector
  // run's alignment only if its own sectors were 4 KiB; 16 KiB sectors would not line up.
  EXPECT_THAT(rejection(edit(edit(kTwoFlashes, "{name: int, size: 32KiB", "{name: int, size: 28KiB"),
                             "{name: ext, size: 64KiB, sector_size: 4KiB", "{name: ext, size: 64KiB, sector_size: 16KiB")),
              HasSubstr("flash 'ext' would start at 0x7000, not a multiple of its largest sector 0x4000"));
  EXPECT_THAT(rejection(edit(kTwoFlashes, "offset: 0x2000, size: 0x1000}", "offset: 0x2000, size: 0x1000, flash: x}")),
              HasSubstr("region 'bcr0' flash 'x' is not in device.flashes"));
}

TEST(LayoutValidate, ARegionLiesOnOneFlash) {
  auto l = parse_layout(kTwoFlashes);
  ASSERT_TRUE(l);
  Layout bad = *l;
  bad.regions[4].offset = 0x6000;  // slot_a from 0x6000 to 0xa000: across the 0x8000 boundary
  bad.regions[4].size = 0x4000;
  std::stable_sort(bad.regions.begin(), bad.regions.end(),
                   [](const Region& a, const Region& b) { return a.offset < b.offset; });
  auto checked = validate_layout(bad);
  ASSERT_FALSE(checked);
  EXPECT_THAT(checked.error().message, HasSubstr("runs from flash 'int' into the next; a region lies on one flash"));
}

TEST(LayoutYaml, RoundTripsStringsThatNeedQuoting) {
  Layout l = base();
  l.hardware_id = "a\"b\\c:#{d}";
  l.vendor = "ACME Corp. [x], 'y'";
  l.boot = {7, true};
  l.counter_slots = 1;
  l.regions[4].exec_addr.reset();
  l.regions[5].exec_addr.reset();
  ASSERT_TRUE(validate_layout(l)) << validate_layout(l).error().message;
  auto again = parse_layout(layout_to_yaml(l));
  ASSERT_TRUE(again) << again.error().message << "\n" << layout_to_yaml(l);
  EXPECT_EQ(*again, l);
}

TEST(LayoutParse, AppliesDefaults) {
  const Layout l = base();
  EXPECT_EQ(l.vendor, "ota-toolchain");
  EXPECT_EQ(l.geometry.devices[0].erased, 0xff);
  EXPECT_EQ(l.boot.tries, 3);
  EXPECT_FALSE(l.boot.prevent_late_fallback);
  EXPECT_EQ(l.counter_slots, 64u);
}

TEST(LayoutParse, ReadsOptionalSections) {
  auto l = parse_layout(
      kBase + "boot: {tries: 5, prevent_late_fallback: true}\nroot_of_trust: {counter_slots: 1024}\n");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->boot.tries, 5);
  EXPECT_TRUE(l->boot.prevent_late_fallback);
  EXPECT_EQ(l->counter_slots, 1024u);
}

TEST(LayoutNumbers, AcceptsDecimalHexAndBinarySuffixes) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"4096", 4096},
      {"0x1000", 0x1000},
      {"0X1000", 0x1000},
      {"4K", 4096},
      {"4KiB", 4096},
      {"3M", 3u << 20},
      {"3MiB", 3u << 20},
      {"5G", uint64_t{5} << 30},
      {"256GiB", uint64_t{256} << 30},
      {"0", 0},
      {"0xFFFFFFFFFFFF0000", 0xFFFFFFFFFFFF0000},
  };
  for (const auto& [text, value] : cases) {
    auto l = parse_layout(edit(kBase, "exec_addr: 0x08004000", std::string("exec_addr: ") + text));
    ASSERT_TRUE(l) << text << ": " << l.error().message;
    EXPECT_EQ(l->slot(0).exec_addr, value) << text;
  }
}

TEST(LayoutNumbers, RejectsNegativeFractionalOverflowingAndOddNumbers) {
  const std::pair<const char*, const char*> cases[] = {
      {"-4096", "is negative"},
      {"1.5K", "is not a whole number"},
      {"0.5", "is not a whole number"},
      {"18446744073709551616", "does not fit in 64 bits"},
      {"0x10000000000000000", "does not fit in 64 bits"},
      {"16777216T", "unknown suffix"},
      {"17179869184GiB", "does not fit in 64 bits"},
      {"4kb", "unknown suffix"},
      {"0x12g", "is not a hex number"},
      {"010", "leading zero"},
      {"\"4096\"", "is quoted"},
      {"big", "is not a number"},
      {"[1]", "expected a number"},
  };
  for (const auto& [text, why] : cases) {
    const std::string message =
        rejection(edit(kBase, "exec_addr: 0x08004000", std::string("exec_addr: ") + text));
    EXPECT_THAT(message, HasSubstr("region 'slot_a' exec_addr")) << text;
    EXPECT_THAT(message, HasSubstr(why)) << text;
    EXPECT_THAT(message, HasSubstr("line 13: ")) << text;
  }
}

TEST(LayoutNumbers, SuffixesOnlyOnSizes) {
  EXPECT_THAT(rejection(edit(kBase, "write_size: 8", "write_size: 8K")),
              HasSubstr("device.write_size: '8K' must be a plain integer"));
  auto l = parse_layout(
      edit(edit(kBase, "size: 64KiB", "size: 0x10000"), "sector_size: 4KiB", "sector_size: 4096"));
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(*l, base());
}

TEST(LayoutParse, RejectsUnknownFieldsAtEveryLevel) {
  EXPECT_THAT(rejection(edit(kBase, "  sector_size: 4KiB", "  sector: 4KiB")),
              HasSubstr("unknown field 'sector' in device; expected name, hardware_id"));
  EXPECT_THAT(rejection(kBase + "bootloader: {}\n"), HasSubstr("unknown field 'bootloader' in the layout"));
  EXPECT_THAT(
      rejection(edit(kBase, "size: 0x1000}", "size: 0x1000, flags: 1}")),
      HasSubstr("unknown field 'flags' in region 'bootloader'; expected name, flash, offset, size, exec_addr"));
  EXPECT_THAT(rejection(kBase + "boot: {retries: 3}\n"), HasSubstr("unknown field 'retries' in boot"));
  EXPECT_THAT(rejection(kBase + "root_of_trust: {slots: 3}\n"),
              HasSubstr("unknown field 'slots' in root_of_trust"));
  EXPECT_THAT(rejection(edit(kBase, "sector_size: 4KiB", "sectors: [{size: 4KiB, count: 16, erase_ms: 20}]")),
              HasSubstr("unknown field 'erase_ms' in device.sectors[0]"));
}

TEST(LayoutParse, RejectsDuplicateAndMissingFields) {
  EXPECT_THAT(rejection(edit(kBase, "  write_size: 8", "  write_size: 8\n  write_size: 4")),
              HasSubstr("field 'write_size' appears twice in device"));
  EXPECT_THAT(rejection(edit(kBase, "  hardware_id: hw-1\n", "")),
              HasSubstr("device: missing field 'hardware_id'"));
  EXPECT_THAT(rejection(edit(kBase, ", size: 0x1000}", "}")),
              HasSubstr("region 'bootloader': missing field 'size'"));
  EXPECT_THAT(rejection("device: {name: x}\n"), HasSubstr("missing field"));
}

TEST(LayoutParse, SyntaxErrorIsOneLineErrorNotAnException) {
  for (const char* text : {"device: [\n  name: x\n", "device:\n  name: 'open\n", "a: b: c\n", "\t- x\n",
                           "device: &a [*a]\n", "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{"}) {
    const std::string message = rejection(text);
    EXPECT_FALSE(message.empty()) << text;
  }
  EXPECT_THAT(rejection("device: [\n  name: x\n"), HasSubstr("not valid YAML: line "));
  // yaml-cpp quotes the offending byte raw; the message escapes it.
  EXPECT_THAT(rejection("device: \"a\\\x0b\"\n"), HasSubstr("unknown escape character: \\x0b"));
  EXPECT_THAT(rejection(""), HasSubstr("the layout must be a YAML mapping with device and regions"));
  EXPECT_THAT(rejection("- device\n"), HasSubstr("the layout must be a YAML mapping"));
  EXPECT_THAT(rejection(kBase + "---\n" + kBase), HasSubstr("more than one YAML document"));
  // yaml-cpp 0.7's LoadAll loops forever on a stray ','; these must return.
  EXPECT_THAT(rejection(","), HasSubstr("the layout must be a YAML mapping"));
  EXPECT_THAT(rejection(",# x\n" + kBase), HasSubstr("the layout must be a YAML mapping"));
  EXPECT_THAT(rejection(kBase + "---\n,\n"), HasSubstr("more than one YAML document"));
  EXPECT_THAT(rejection(std::string(5000, '[')), HasSubstr("not valid YAML"));
}

TEST(LayoutParse, RejectsWrongTypes) {
  EXPECT_THAT(rejection(edit(kBase, "name: t1", "name: {a: 1}")),
              HasSubstr("device.name: expected a string"));
  EXPECT_THAT(rejection(kBase + "boot: {prevent_late_fallback: yes}\n"),
              HasSubstr("boot.prevent_late_fallback: expected true or false"));
  EXPECT_THAT(rejection(kBase.substr(0, kBase.find("regions:")) + "regions: {a: 1}\n"),
              HasSubstr("regions: expected a list"));
  EXPECT_THAT(rejection(edit(kBase, "  - {name: rot,", "  - 7\n  - {name: rot,")),
              HasSubstr("regions[1]: expected a mapping"));
}

TEST(LayoutParse, RejectsSectorSizeAndSizeThatDisagree) {
  EXPECT_THAT(
      rejection(edit(kBase, "sector_size: 4KiB", "sector_size: 4KiB\n  sectors: [{size: 4KiB, count: 16}]")),
      HasSubstr("exactly one of sector_size (uniform sectors) or sectors"));
  EXPECT_THAT(rejection(edit(kBase, "  sector_size: 4KiB\n", "")), HasSubstr("exactly one of sector_size"));
  EXPECT_THAT(rejection(edit(kBase, "size: 64KiB", "size: 0x10800")),
              HasSubstr("device.size 0x10800 is not a multiple of device.sector_size 0x1000"));
  EXPECT_THAT(rejection(edit(kBase, "sector_size: 4KiB",
                             "sectors: [{size: 4KiB, count: 8}, {size: 16KiB, count: 1}]")),
              HasSubstr("device.sectors add up to 0xc000 bytes but device.size is 0x10000"));
  EXPECT_THAT(rejection(edit(kBase, "sector_size: 4KiB", "sectors: [{size: 0x8000000000000000, count: 2}]")),
              HasSubstr("more than 2^64 bytes"));
  EXPECT_THAT(rejection(edit(kBase, "size: 64KiB", "size: 0")), HasSubstr("device.size is 0"));
}

TEST(LayoutValidate, RejectsBadGeometry) {
  EXPECT_THAT(rejection(edit(kBase, "write_size: 8", "write_size: 3")),
              HasSubstr("device.write_size is 3; use 1, 2, 4, 8, 16 or 32"));
  EXPECT_THAT(rejection(edit(kBase, "write_size: 8", "write_size: 64")),
              HasSubstr("device.write_size is 64"));
  EXPECT_THAT(rejection(edit(kBase, "page_size: 256", "page_size: 384")),
              HasSubstr("device.page_size 0x180 is not a power of two"));
  EXPECT_THAT(rejection(edit(kBase, "page_size: 256", "page_size: 4")),
              HasSubstr("device.page_size 0x4 is smaller than device.write_size 0x8"));
  EXPECT_THAT(rejection(edit(kBase, "page_size: 256", "page_size: 256\n  erased: 0x7f")),
              HasSubstr("device.erased is 0x7f; use 0xff or 0x00"));
  EXPECT_THAT(rejection(edit(edit(kBase, "size: 64KiB", "size: 0x12000"), "sector_size: 4KiB",
                             "sector_size: 0x3000")),
              HasSubstr("sector run 0 (size 0x3000, count 6): the sector size is not a power of two"));
  EXPECT_THAT(rejection(edit(kBase, "page_size: 256", "page_size: 8K")),
              HasSubstr("sector run 0 (size 0x1000, count 16): sectors are smaller than the write size 0x8 "
                        "or page size 0x2000"));
  EXPECT_THAT(rejection(edit(kBase, "sector_size: 4KiB",
                             "sectors: [{size: 4KiB, count: 0}, {size: 4KiB, count: 16}]")),
              HasSubstr("sector run 0 (size 0x1000, count 0) is empty"));
}

TEST(LayoutValidate, RejectsRegionPastTheEnd) {
  EXPECT_EQ(
      rejection(edit(kBase, "offset: 0xa000, size: 0x6000", "offset: 0xa000, size: 0x7000")),
      "region 'slot_b' (offset 0xa000, size 0x7000) ends at 0x11000, past the end of the flash (0x10000)");
  EXPECT_THAT(
      rejection(edit(kBase, "offset: 0xa000, size: 0x6000", "offset: 0xffffffffffff0000, size: 0x10000")),
      HasSubstr("region 'slot_b' (offset 0xffffffffffff0000, size 0x10000) ends at 2^64 or more"));
  auto mcu = edit(read_example("mcu-1mib.layout.yaml"), "offset: 0x90000, size: 0x70000",
                  "offset: 0x110000, size: 0xf0000");
  EXPECT_EQ(rejection(mcu),
            "region 'slot_b' (offset 0x110000, size 0xf0000) ends at 0x200000, past the end of the flash "
            "(0x100000)");
}

TEST(LayoutValidate, RejectsEmptyRegion) {
  EXPECT_THAT(rejection(edit(kBase, "offset: 0x1000, size: 0x1000", "offset: 0x1000, size: 0")),
              HasSubstr("region 'rot' (offset 0x1000, size 0x0) is empty"));
}

TEST(LayoutValidate, RejectsUnalignedRegionsNamingTheNearestBoundaries) {
  EXPECT_THAT(
      rejection(edit(kBase, "offset: 0xa000, size: 0x6000", "offset: 0xa800, size: 0x5800")),
      HasSubstr("region 'slot_b' (offset 0xa800, size 0x5800) starts at 0xa800, not on a sector boundary; "
                "the nearest are 0xa000 and 0xb000"));
  // Mixed sectors: bcr1 in the 64 KiB sector 4 must end at its end.
  const std::string stm = edit(read_example("stm32f4-like.layout.yaml"), "offset: 0x10000, size: 64KiB",
                               "offset: 0x10000, size: 32KiB");
  EXPECT_THAT(rejection(stm),
              HasSubstr("region 'bcr1' (offset 0x10000, size 0x8000) ends at 0x18000, not on a "
                        "sector boundary; the nearest are 0x10000 and 0x20000"));
  const std::string stm2 = edit(read_example("stm32f4-like.layout.yaml"), "offset: 0xc000, size: 16KiB",
                                "offset: 0xe000, size: 8KiB");
  EXPECT_THAT(rejection(stm2),
              HasSubstr("region 'bcr0' (offset 0xe000, size 0x2000) starts at 0xe000, not on a "
                        "sector boundary; the nearest are 0xc000 and 0x10000"));
}

TEST(LayoutValidate, RejectsOverlapNamingBothRegions) {
  const std::string message =
      rejection(edit(kBase, "offset: 0x1000, size: 0x1000", "offset: 0x1000, size: 0x2000"));
  EXPECT_THAT(message,
              HasSubstr("region 'rot' (offset 0x1000, size 0x2000) overlaps region 'bcr0' (offset 0x2000, "
                        "size 0x1000)"));
  EXPECT_THAT(message, HasSubstr("each boot-control record copy needs erase sectors of its own"));
  const std::string slots =
      rejection(edit(kBase, "offset: 0x4000, size: 0x6000", "offset: 0x4000, size: 0x7000"));
  EXPECT_THAT(slots, HasSubstr("region 'slot_a' (offset 0x4000, size 0x7000) overlaps region 'slot_b'"));
  EXPECT_THAT(slots, Not(HasSubstr("boot-control")));
  // Two BCR copies in one sector is an overlap after alignment (L3).
  EXPECT_THAT(rejection(edit(kBase, "bcr1, offset: 0x3000", "bcr1, offset: 0x2000")),
              HasSubstr("region 'bcr0' (offset 0x2000, size 0x1000) overlaps region 'bcr1' (offset 0x2000"));
}

TEST(LayoutValidate, RejectsBootloaderAwayFromZero) {
  const std::string moved =
      R"(device: {name: t1, hardware_id: hw-1, size: 64KiB, sector_size: 4KiB, write_size: 8}
regions:
  - {name: rot, offset: 0x1000, size: 0x1000}
  - {name: bcr0, offset: 0x2000, size: 0x1000}
  - {name: bcr1, offset: 0x3000, size: 0x1000}
  - {name: slot_a, offset: 0x4000, size: 0x5000}
  - {name: slot_b, offset: 0x9000, size: 0x5000}
  - {name: bootloader, offset: 0xe000, size: 0x1000}
)";
  EXPECT_THAT(rejection(moved), HasSubstr("region 'bootloader' starts at 0xe000; it must start at 0x0"));
}

TEST(LayoutValidate, RejectsUnknownDuplicateAndMissingRegions) {
  EXPECT_THAT(rejection(edit(kBase, "name: slot_b", "name: slot_c")),
              HasSubstr("region 'slot_c' is not a known region; use bootloader, rot"));
  EXPECT_THAT(rejection(edit(kBase, "name: bcr1", "name: rot")), HasSubstr("region 'rot' appears twice"));
  EXPECT_THAT(rejection(edit(kBase, "  - {name: bcr1, offset: 0x3000, size: 0x1000}\n", "")),
              HasSubstr("the layout has no region 'bcr1'"));
  auto optional =
      parse_layout(edit(kBase, "name: bcr1, offset: 0x3000, size: 0x1000}",
                        "name: bcr1, offset: 0x3000, size: 0x1000}\n  - {name: bcr2, offset: 0x10000, "
                        "size: 0}"));
  EXPECT_FALSE(optional);  // bcr2 is known; an empty one is still rejected
  EXPECT_THAT(optional.error().message, HasSubstr("region 'bcr2'"));
}

TEST(LayoutValidate, RejectsUnequalSlots) {
  EXPECT_THAT(rejection(edit(kBase, "offset: 0xa000, size: 0x6000", "offset: 0xa000, size: 0x5000")),
              HasSubstr("slot_a (size 0x6000) and slot_b (size 0x5000) must have the same size"));
}

TEST(LayoutValidate, RejectsMisplacedOrOneSidedExecAddr) {
  EXPECT_THAT(rejection(edit(kBase, "offset: 0x2000, size: 0x1000}",
                             "offset: 0x2000, size: 0x1000, exec_addr: 0x1}")),
              HasSubstr("region 'bcr0' has exec_addr 0x1; only slot_a and slot_b take one"));
  EXPECT_THAT(rejection(edit(kBase, ", exec_addr: 0x0800a000", "")),
              HasSubstr("slot_a has exec_addr 0x8004000 but slot_b has none"));
  EXPECT_THAT(rejection(edit(kBase, ", exec_addr: 0x08004000", "")),
              HasSubstr("slot_b has exec_addr 0x800a000 but slot_a has none"));
  EXPECT_THAT(rejection(edit(kBase, "exec_addr: 0x0800a000", "exec_addr: 0x08004000")),
              HasSubstr("slot_a and slot_b both have exec_addr 0x8004000"));
  EXPECT_THAT(rejection(edit(kBase, "exec_addr: 0x0800a000", "exec_addr: 0xfffffffffffff000")),
              HasSubstr("slot_b exec_addr 0xfffffffffffff000 plus size 0x6000 passes 2^64"));
}

TEST(LayoutValidate, RejectsBadDeviceStringsAndPolicy) {
  EXPECT_THAT(rejection(edit(kBase, "name: t1", "name: 'a b'")), HasSubstr("device.name 'a b' must be 1-64"));
  EXPECT_THAT(rejection(edit(kBase, "name: t1", "name: " + std::string(65, 'n'))), HasSubstr("device.name"));
  EXPECT_THAT(rejection(edit(kBase, "hardware_id: hw-1", "hardware_id: 'hw 1'")),
              HasSubstr("device.hardware_id 'hw 1' must be 1-64 printable ASCII characters without spaces"));
  EXPECT_THAT(rejection(edit(kBase, "hardware_id: hw-1", "hardware_id: \"hw\\n1\"")),
              HasSubstr("device.hardware_id 'hw\\x0a1'"));
  EXPECT_THAT(rejection(edit(kBase, "hardware_id: hw-1", "hardware_id: hw-1\n  vendor: ''")),
              HasSubstr("device.vendor '' must be 1-64"));
  EXPECT_THAT(rejection(kBase + "boot: {tries: 0}\n"), HasSubstr("boot.tries is 0; use 1 to 7"));
  EXPECT_THAT(rejection(kBase + "boot: {tries: 8}\n"), HasSubstr("boot.tries is 8; use 1 to 7"));
  EXPECT_THAT(rejection(kBase + "boot: {tries: 256}\n"),
              HasSubstr("boot.tries: '256' is too large (at most 0xff)"));
  EXPECT_THAT(rejection(kBase + "root_of_trust: {counter_slots: 0}\n"),
              HasSubstr("root_of_trust.counter_slots is 0; use 1 to 1024"));
  EXPECT_THAT(rejection(kBase + "root_of_trust: {counter_slots: 1025}\n"),
              HasSubstr("root_of_trust.counter_slots is 1025"));
}

TEST(LayoutValidate, RejectsFlashMapThatDoesNotFitInTheBootloader) {
  const std::string small =
      edit(edit(edit(kBase, "sector_size: 4KiB", "sector_size: 256"), "size: 0x1000}", "size: 0x100}"),
           "{name: rot, offset: 0x1000", "{name: rot, offset: 0x100");
  EXPECT_THAT(
      rejection(small),
      HasSubstr("the flash-map descriptor (0x16e bytes) does not fit in region 'bootloader' (size 0x100)"));
}

TEST(LayoutValidate, RejectsHandBuiltLayoutsTheParserWouldNotProduce) {
  Layout l = base();
  std::swap(l.regions[1], l.regions[2]);
  auto unsorted = validate_layout(l);
  ASSERT_FALSE(unsorted);
  EXPECT_THAT(unsorted.error().message,
              HasSubstr("regions are not in address order: region 'rot' (offset 0x1000"));

  l = base();
  l.geometry.devices[0].sectors.clear();
  EXPECT_THAT(validate_layout(l).error().message, HasSubstr("device has no sectors"));
  l.geometry.devices[0].sectors = {{0x1000, 16}, {uint64_t{1} << 63, 2}};
  EXPECT_THAT(validate_layout(l).error().message, HasSubstr("more than 2^64 bytes"));
  l.geometry.devices[0].sectors.assign(70000, {0x1000, 1});
  EXPECT_THAT(validate_layout(l).error().message, HasSubstr("70000 sector runs; at most 65535"));
  EXPECT_TRUE(validate_layout(base()));
}

TEST(LayoutAccessors, FindSlotAndBcrCopies) {
  const Layout l = base();
  EXPECT_EQ(l.find("rot")->offset, 0x1000u);
  EXPECT_EQ(l.find("nope"), nullptr);
  EXPECT_EQ(&l.slot(0), l.find("slot_a"));
  EXPECT_EQ(&l.slot(1), l.find("slot_b"));
  const auto copies = l.bcr_copies();
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0], l.find("bcr0"));
  EXPECT_EQ(copies[1], l.find("bcr1"));
}

}  // namespace
}  // namespace ota::image
