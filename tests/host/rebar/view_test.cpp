// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/view.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fakes/fake_sysfs.hpp"

namespace vfiokit::host {
namespace {

using pci::Bdf;
using testing::ConfigBuilder;

std::string resource_lines(std::vector<std::array<uint64_t, 3>> lines, size_t total) {
  std::string out;
  lines.resize(total);
  for (const auto& l : lines) out += fmt::format("0x{:016x} 0x{:016x} 0x{:016x}\n", l[0], l[1], l[2]);
  return out;
}

TEST(RebarView, WindowNeighboursAndWhatFitsInPlace) {
  testing::FakeSysfs sysfs;
  const Bdf port(0, 0, 1, 0), gpu(0, 1, 0, 0), audio(0, 1, 0, 1);
  ConfigBuilder rp;
  rp.ids(0x8086, 0x7a38).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::root_port);
  ConfigBuilder g;
  g.ids(0x1002, 0x73bf).class_code(0x030000).header_type(0, true).pci_express(0x40, pci::PcieType::endpoint);
  g.rebar(0x100, {{0, 0x7F00, 8}});  // 256 MiB now; 256 MiB..16 GiB supported
  ConfigBuilder a;
  a.ids(0x1002, 0xab28).class_code(0x040300).header_type(0, true).pci_express(0x40, pci::PcieType::endpoint);
  sysfs.add(port, rp).add(gpu, g, port).add(audio, a, port);
  // The root port's prefetchable window 0x80000000-0xbfffffff (line 15 of 17).
  std::vector<std::array<uint64_t, 3>> windows(17);
  windows[15] = {0x80000000, 0xbfffffff, 0x102201};
  std::ofstream(sysfs.device_dir(port) / "resource") << resource_lines(windows, 17);
  std::ofstream(sysfs.device_dir(gpu) / "resource") << resource_lines({{0x80000000, 0x8fffffff, 0x14220c}}, 13);
  std::ofstream(sysfs.device_dir(audio) / "resource") << resource_lines({{0xa0000000, 0xa0003fff, 0x14220c}}, 13);
  std::ofstream(sysfs.device_dir(gpu) / "resource0_resize") << "0000000000007f00\n";
  const SysfsRoot root(sysfs.root());
  const HostView view = read_host(root);
  const auto placements = rebar_placements(root, view, *view.function(gpu));
  ASSERT_EQ(placements.size(), 1u);
  const auto& p = placements[0];
  EXPECT_EQ(p.bar, 0u);
  ASSERT_TRUE(p.resize_bitmap);
  EXPECT_EQ(*p.resize_bitmap, 0x7f00u);
  EXPECT_FALSE(p.disagreement);
  ASSERT_TRUE(p.window);
  EXPECT_EQ(p.window->start, 0x80000000u);
  ASSERT_EQ(p.neighbours.size(), 1u);
  EXPECT_EQ(p.neighbours[0].bdf, audio);
  // 512 MiB fits at 0x80000000; 1 GiB would cover the audio function's BAR.
  EXPECT_EQ(p.fits_in_place, (std::vector<unsigned>{9}));

  std::ofstream(sysfs.device_dir(gpu) / "resource0_resize") << "0000000000000f00\n";
  const auto again = rebar_placements(root, view, *view.function(gpu));
  ASSERT_TRUE(again[0].disagreement);
  EXPECT_NE(again[0].disagreement->find("0xf00"), std::string::npos);
}

TEST(RebarView, LinuxReportsOnlyCapabilitySizes) {
  const uint64_t config = 0xFFull | (1ull << 22) | (1ull << 28);     // 1..128 MiB, 4 TiB, 256 TiB (extended)
  EXPECT_FALSE(compare_resize_bitmap(config, 0xFF | (1ull << 22)));  // 6.15+: up to 128 TiB
  EXPECT_FALSE(compare_resize_bitmap(config, 0xFF));                 // before 6.15: up to 512 GiB
  EXPECT_TRUE(compare_resize_bitmap(config, 0x7F));
}

}  // namespace
}  // namespace vfiokit::host
