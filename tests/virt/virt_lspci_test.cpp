// SPDX-License-Identifier: Apache-2.0
// The guest view of a function with three resizable BARs (one with an
// extended size) as pciutils reads it: the `--dump` text fed to `lspci -F`
// shows the ReBAR capability with only each BAR's current size, and no
// SR-IOV or ARI.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "support/config_builder.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/pci/dump_format.hpp"
#include "vfiokit/virt/virtual_config.hpp"

namespace vfiokit::virt {
namespace {

TEST(VirtLspci, GuestDumpShowsTheStaticRebar) {
  testing::ConfigBuilder b;
  b.ids(0x1002, 0x73bf).class_code(0x030000).header_type(0);
  b.u32(0x10, 0x0C).u32(0x18, 0x0C).u32(0x20, 0x00);
  b.pci_express(0x40, pci::PcieType::endpoint);
  b.sriov(0x100, 8, 0, 0x73c0).ext_cap(0x140, 0x000E);
  b.rebar(0x200, {{0, 0x7F00ull | (1ull << 28), 8}, {2, 0x3ull, 1}, {4, 0x3ull, 0}});
  auto v = VirtualConfig::build(b.bytes(), {256 << 20, 0, 2 << 20, 0, 1 << 20, 0, 0});
  ASSERT_TRUE(v) << v.error().describe();
  testing::TempDir dir;
  const auto file = dir.path() / "guest.lspci";
  std::ofstream(file) << pci::format_dump(pci::Bdf(0, 1, 0, 0), "guest",
                                          *pci::ConfigSpace::from_bytes(v->guest_bytes()));
  const auto lspci = testing::run_process({"lspci", "-vvv", "-F", file.string()});
  ASSERT_EQ(lspci.exit_code, 0) << lspci.err;
  EXPECT_NE(lspci.out.find("Physical Resizable BAR"), std::string::npos) << lspci.out;
  EXPECT_EQ(lspci.out.find("Single Root I/O"), std::string::npos) << lspci.out;
  EXPECT_EQ(lspci.out.find("Alternative Routing-ID"), std::string::npos) << lspci.out;
  const std::regex bar_line(R"(BAR (\d): current size: (\w+), supported: ([\w ]+))");
  std::vector<std::string> seen;
  for (std::sregex_iterator it(lspci.out.begin(), lspci.out.end(), bar_line), end; it != end; ++it) {
    EXPECT_EQ((*it)[2].str(), (*it)[3].str()) << "BAR " << (*it)[1] << " advertises more than its current size";
    seen.push_back((*it)[1].str() + ":" + (*it)[2].str());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"0:256MB", "2:2MB", "4:1MB"})) << lspci.out;
}

}  // namespace
}  // namespace vfiokit::virt
