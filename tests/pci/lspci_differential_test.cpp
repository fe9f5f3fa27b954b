// SPDX-License-Identifier: Apache-2.0
// Differential test against pciutils: for every dump in the corpus (the
// synthetic devices and the real dumps kept in data/corpus/), the capability
// list, the Resizable BAR sizes and the ACS bits that `vfiokit decode --json`
// reports must equal what `lspci -vvv -F DUMP` prints.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/lspci_compare.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace vfiokit {
namespace {

using nlohmann::json;

void compare(const std::filesystem::path& dump, const std::string& what) {
  SCOPED_TRACE(what);
  auto lspci = testing::run_process({"lspci", "-vvv", "-F", dump.string()});
  ASSERT_EQ(lspci.exit_code, 0) << lspci.err;
  auto ours = testing::run_process({VFIOKIT_BIN, "decode", "--json", dump.string()});
  ASSERT_TRUE(ours.exit_code == 0 || ours.exit_code == 1) << ours.err;
  const json devices = json::parse(ours.out)["devices"];
  ASSERT_EQ(devices.size(), 1u) << "the differential test takes one device per dump";
  testing::expect_same_capabilities(testing::view_of_vfiokit(devices[0]), testing::parse_lspci(lspci.out));
}

TEST(LspciDifferential, SyntheticCorpus) {
  testing::TempDir dir;
  const auto corpus = testing::synthetic_corpus();
  ASSERT_GE(corpus.size(), 10u);
  for (const auto& device : corpus) {
    const auto file = dir.write(device.name + ".lspci", pci::format_dump(device.bdf, device.name, device.config));
    compare(file, device.name);
  }
}

// Real devices: dumps captured from hosts and lab guests, one device a file.
TEST(LspciDifferential, RealDeviceDumps) {
  const std::filesystem::path root = std::filesystem::path(VFIOKIT_SOURCE_DIR) / "data/corpus";
  testing::TempDir dir;
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".lspci") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto devices = pci::parse_dump({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, entry.path().string());
    ASSERT_TRUE(devices) << devices.error().describe();
    for (const auto& d : *devices) {
      const std::string name = entry.path().stem().string() + "-" + (d.bdf ? d.bdf->str() : "x");
      compare(dir.write(name + ".lspci", pci::format_dump(d.bdf.value_or(pci::Bdf()), d.title, d.config)), name);
      ++count;
    }
  }
  EXPECT_GT(count, 0u) << "no real dumps under " << root;
}

}  // namespace
}  // namespace vfiokit
