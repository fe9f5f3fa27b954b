// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/view/host_view.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

namespace vfiokit::host {
namespace {

PciFunction function(uint32_t class_code, std::string driver) {
  PciFunction f;
  f.class_code = class_code;
  f.driver = std::move(driver);
  return f;
}

// The rule `groups` and the bind planner share: VFIO ignores bridges, and
// takes a group only when every other member is unbound or on vfio-pci.
TEST(HostView, OnlyAnEndpointOnAHostDriverKeepsItsGroupFromVfio) {
  EXPECT_TRUE(HostView::keeps_group_from_vfio(function(0x020000, "e1000e")));
  EXPECT_FALSE(HostView::keeps_group_from_vfio(function(0x020000, "vfio-pci")));
  EXPECT_FALSE(HostView::keeps_group_from_vfio(function(0x020000, "")));
  EXPECT_FALSE(HostView::keeps_group_from_vfio(function(0x060400, "pcieport")));
}

TEST(HostView, AGroupIsViableUnlessAMemberKeepsItFromVfio) {
  HostView view;
  const pci::Bdf port(0, 0, 0x1c, 0), nic(0, 1, 0, 0), gpu(0, 2, 0, 0);
  for (auto [bdf, cls, driver] : {std::tuple{port, 0x060400u, "pcieport"}, std::tuple{nic, 0x020000u, "vfio-pci"},
                                  std::tuple{gpu, 0x030000u, "amdgpu"}}) {
    view.functions.push_back(function(cls, driver));
    view.functions.back().bdf = bdf;
  }
  EXPECT_TRUE(view.group_viable(IommuGroup{1, {port, nic}, {}, {}, {}}));
  EXPECT_FALSE(view.group_viable(IommuGroup{2, {port, nic, gpu}, {}, {}, {}}));
  // A member sysfs does not hold says nothing against the group.
  EXPECT_TRUE(view.group_viable(IommuGroup{3, {pci::Bdf(0, 3, 0, 0)}, {}, {}, {}}));
}

}  // namespace
}  // namespace vfiokit::host
