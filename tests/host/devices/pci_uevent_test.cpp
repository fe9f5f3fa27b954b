// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_uevent.hpp"

#include <gtest/gtest.h>

namespace vfiokit::host {
namespace {

TEST(PciUevent, ReadsWhatTheKernelWrites) {
  // A virtio device as a 6.1 kernel shows it, DRIVER= and MODALIAS= included.
  auto u = parse_pci_uevent(
      "DRIVER=virtio-pci\nPCI_CLASS=FFFF00\nPCI_ID=1AF4:1045\nPCI_SUBSYS_ID=1AF4:1045\n"
      "PCI_SLOT_NAME=0000:00:01.0\nMODALIAS=pci:v00001AF4d00001045sv00001AF4sd00001045bcFFscFFi00\n",
      "uevent");
  ASSERT_TRUE(u && *u);
  EXPECT_EQ((*u)->class_code, 0xffff00u);
  EXPECT_EQ((*u)->vendor_id, 0x1af4);
  EXPECT_EQ((*u)->device_id, 0x1045);
  EXPECT_EQ((*u)->subsystem_vendor_id, 0x1af4);
  EXPECT_EQ((*u)->subsystem_id, 0x1045);
  // %04X of a class below 0x100000 has five digits; no newline at the end.
  u = parse_pci_uevent("PCI_CLASS=20000\nPCI_ID=8086:10d3\nPCI_SUBSYS_ID=0000:0000", "uevent");
  ASSERT_TRUE(u && *u);
  EXPECT_EQ((*u)->class_code, 0x020000u);
  EXPECT_EQ((*u)->device_id, 0x10d3);
}

TEST(PciUevent, MissingValuesAreNoneAndMalformedOnesAreErrors) {
  auto none = parse_pci_uevent("PCI_CLASS=20000\nPCI_ID=8086:10D3\n", "uevent");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(*parse_pci_uevent("", "uevent"));
  for (const char* bad : {"PCI_ID=8086\n", "PCI_ID=8086:\n", "PCI_ID=18086:10D3\n", "PCI_CLASS=1000000\n",
                          "PCI_CLASS=\n", "PCI_SUBSYS_ID=zz:0\n", "PCI_CLASS=2 0000\n"}) {
    auto r = parse_pci_uevent(bad, "0000:01:00.0/uevent");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().describe().find("0000:01:00.0/uevent: cannot parse"), std::string::npos)
        << r.error().describe();
  }
}

}  // namespace
}  // namespace vfiokit::host
