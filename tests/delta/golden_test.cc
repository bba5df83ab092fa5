// Golden vectors in tests/data (see tests/data/PROVENANCE.md for how each was made).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/test_files.h"
#include "delta/bsdiff.h"
#include "delta/operations.h"
#include "io/posix_storage.h"

namespace ota::delta {
namespace {

const std::filesystem::path kData = OTA_TEST_DATA;

using testing::read_file;

Result<Bytes> patch_apply(const Bytes& old_data, const Bytes& patch) {
  io::VectorWriter out;
  auto r = apply_patch_bytes(old_data, patch, out, ApplyLimits{.max_output_bytes = 64 << 20});
  if (!r) return std::move(r).error();
  return std::move(out.bytes);
}

TEST(Golden, OurBsdiffEqualsDebianBsdiffByteForByte) {
  Bytes old_data = read_file(kData / "delta/old.bin"), new_data = read_file(kData / "delta/new.bin");
  EXPECT_EQ(bsdiff_encode(old_data, new_data)->bytes, read_file(kData / "delta/debian-bsdiff.patch"));
}

TEST(Golden, OurTrailerFormatIsStable) {
  Bytes old_data = read_file(kData / "delta/old.bin"), new_data = read_file(kData / "delta/new.bin");
  EXPECT_EQ(encode_patch(Algorithm::kBsdiff, old_data, new_data, {})->bytes,
            read_file(kData / "delta/ota-bsdiff-trailer.patch"));
}

TEST(Golden, PeerPatchesApply) {
  Bytes old_data = read_file(kData / "delta/old.bin"), new_data = read_file(kData / "delta/new.bin");
  for (const char* name : {"debian-bsdiff.patch", "zstd-cli-19.patch", "zstd-cli-long31.patch",
                           "ota-bsdiff-trailer.patch", "ota-zstd-trailer.patch"}) {
    auto r = patch_apply(old_data, read_file(kData / "delta" / name));
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_EQ(*r, new_data) << name;
  }
}

// Each line of bad/EXPECTED: file, error code, a substring of the message.
TEST(Golden, BadPatchesAreRejectedWithTheirMessage) {
  Bytes old_data = read_file(kData / "delta/old.bin");
  std::ifstream expected(kData / "delta/bad/EXPECTED");
  std::string line;
  int checked = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file, code, message;
    fields >> file >> code;
    std::getline(fields >> std::ws, message);
    auto r = patch_apply(old_data, read_file(kData / "delta/bad" / file));
    ASSERT_FALSE(r) << file << " was accepted";
    EXPECT_EQ(to_string(r.error().code), code) << file << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(message), std::string::npos)
        << file << ": '" << r.error().message << "' lacks '" << message << "'";
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

}  // namespace
}  // namespace ota::delta
