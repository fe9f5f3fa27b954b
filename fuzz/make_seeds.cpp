// SPDX-License-Identifier: Apache-2.0
// Writes the synthetic corpus as fuzzer seeds: lspci text and raw bytes.
#include <fstream>
#include <iostream>

#include "support/corpus.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: vfiokit_fuzz_seeds DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  vfiokit::testing::write_corpus(dir);
  for (const auto& device : vfiokit::testing::synthetic_corpus()) {
    std::ofstream raw(dir / (device.name + ".bin"), std::ios::binary);
    const auto bytes = device.config.bytes();
    raw.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}
