// make_pair KIND SIZE SEED OLD NEW: writes a deterministic old/new pair for the
// interop scripts. KIND is random or structured; NEW is a mutation of OLD.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/test_data.h"

static bool write_file(const char* path, const ota::Bytes& b) {
  FILE* f = std::fopen(path, "wb");
  if (!f) return false;
  bool ok = b.empty() || std::fwrite(b.data(), 1, b.size(), f) == b.size();
  return std::fclose(f) == 0 && ok;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: make_pair random|structured SIZE SEED OLD NEW\n");
    return 2;
  }
  const std::string kind = argv[1];
  const size_t size = std::strtoull(argv[2], nullptr, 10);
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  ota::Bytes old_data = kind == "random" ? ota::testing::random_bytes(size, seed)
                                         : ota::testing::structured_bytes(size, seed);
  ota::Bytes new_data = size == 0 ? ota::Bytes{} : ota::testing::mutate(old_data, seed + 1);
  if (!write_file(argv[4], old_data) || !write_file(argv[5], new_data)) {
    std::fprintf(stderr, "make_pair: cannot write output\n");
    return 1;
  }
  return 0;
}
