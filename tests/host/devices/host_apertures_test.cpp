// SPDX-License-Identifier: Apache-2.0
// The host bridge apertures from /proc/iomem's text, and from the `iomem`
// a snapshot keeps beside its tree (which is as hostile as the tree).
#include "vfiokit/host/devices/host_apertures.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

constexpr const char* kIomem =
    "00000000-00000fff : Reserved\n"
    "000a0000-000bffff : PCI Bus 0000:00\n"
    "20000000-afffffff : PCI Bus 0000:00\n"
    "  20000000-20ffffff : 0000:00:01.0\n"
    "  21000000-211fffff : PCI Bus 0000:05\n"
    "b0000000-bfffffff : PCI ECAM 0000 [bus 00-ff]\n"
    "100000000-8ffffffff : PCI Bus 0000:00\n"
    "  100000000-1017fffff : PCI Bus 0000:05\n"
    "fd00000000-ffffffffff : Reserved\n";

TEST(HostApertures, TopLevelPciBusEntriesOnly) {
  const auto a = parse_host_apertures(kIomem);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].start, 0xa0000u);
  EXPECT_EQ(a[1].end, 0xafffffffu);
  EXPECT_EQ(a[2].start, 0x100000000u);
  EXPECT_EQ(a[2].end, 0x8ffffffffu);
  EXPECT_EQ(pci_aperture_lines(kIomem),
            "000a0000-000bffff : PCI Bus 0000:00\n20000000-afffffff : PCI Bus 0000:00\n"
            "100000000-8ffffffff : PCI Bus 0000:00\n");
}

TEST(HostApertures, ZeroedAndMalformedEntriesAreLeftOut) {
  // Without CAP_SYS_ADMIN every address reads as zero.
  EXPECT_TRUE(parse_host_apertures("00000000-00000000 : PCI Bus 0000:00\n").empty());
  EXPECT_TRUE(parse_host_apertures("zz-ffff : PCI Bus 0000:00\nffff-1000 : PCI Bus 0000:00\n"
                                   "1000 : PCI Bus 0000:00\n1000-2000 PCI Bus 0000:00\n")
                  .empty());
}

TEST(HostApertures, ASnapshotsIomemIsReadBesideItsTreeAndNeverThroughALink) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "sys");
  const SysfsRoot root(dir.path() / "sys");
  auto none = read_host_apertures(root);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  std::ofstream(dir.path() / "iomem") << kIomem;
  auto kept = read_host_apertures(root);
  ASSERT_TRUE(kept) << kept.error().describe();
  EXPECT_EQ(kept->size(), 3u);
  std::filesystem::remove(dir.path() / "iomem");
  std::filesystem::create_symlink("/proc/iomem", dir.path() / "iomem");
  auto linked = read_host_apertures(root);
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.error().message().find("symbolic link"), std::string::npos) << linked.error().describe();
}

}  // namespace
}  // namespace vfiokit::host
