// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/module_aliases.hpp"

#include <gtest/gtest.h>

namespace vfiokit::host {
namespace {

// Lines as depmod writes them (Debian 12's modules.alias).
constexpr const char* kAliases =
    "# Aliases extracted from modules themselves.\n"
    "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
    "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
    "alias pci:v*d*sv*sd*bc01sc08i02* nvme\n"
    "alias pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_pci\n"
    "alias pci:v*d*sv*sd*bc*sc*i* vfio_pci_never\n"
    "alias usb:v1D6Bp0002d*dc*dsc*dp*ic*isc*ip*in* ignored\n"
    "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n";

TEST(ModuleAliases, ModaliasIsTheKernelsFormat) {
  EXPECT_EQ(pci_modalias(0x8086, 0x10d3, 0x8086, 0x0000, 0x020000),
            "pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00");
}

TEST(ModuleAliases, MatchesByVendorAndByWildcard) {
  const ModuleAliases aliases = ModuleAliases::parse(kAliases);
  EXPECT_EQ(aliases.size(), 6u);  // the usb line is not a PCI alias
  EXPECT_EQ(aliases.modules_for(pci_modalias(0x8086, 0x10d3, 0x8086, 0, 0x020000)),
            (std::vector<std::string>{"e1000e", "vfio_pci_never"}));
  EXPECT_EQ(aliases.modules_for(pci_modalias(0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802)),
            (std::vector<std::string>{"nvme", "vfio_pci_never"}));
  EXPECT_EQ(aliases.modules_for(pci_modalias(0x1b36, 0x0010, 0x1af4, 0x1100, 0x010801)),
            (std::vector<std::string>{"vfio_pci_never"}));
}

TEST(ModuleAliases, MalformedLinesAreSkipped) {
  const ModuleAliases aliases = ModuleAliases::parse("alias pci:\nalias pci:v*d* \nalias pci:v*d* a b\nalias\n");
  EXPECT_EQ(aliases.size(), 0u);
}

}  // namespace
}  // namespace vfiokit::host
