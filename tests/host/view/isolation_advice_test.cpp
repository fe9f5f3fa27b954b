// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/view/isolation_advice.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_sysfs.hpp"

namespace vfiokit::host {
namespace {

using pci::Bdf;
using pci::PcieType;
using testing::ConfigBuilder;

ConfigBuilder root_port(uint16_t acs_cap, uint16_t acs_ctrl) {
  ConfigBuilder b;
  b.ids(0x8086, 0x7a38).class_code(0x060400).header_type(1).pci_express(0x40, PcieType::root_port);
  b.acs(0x100, acs_cap, acs_ctrl);
  return b;
}

ConfigBuilder endpoint(bool multifunction) {
  ConfigBuilder b;
  b.ids(0x15b3, 0x1017).class_code(0x020000).header_type(0, multifunction).pci_express(0x40, PcieType::endpoint);
  b.acs(0x100, 0x001f, 0x001f);
  return b;
}

TEST(IsolationAdvice, PartialAcsOnARootPortGivesTheConfigAcsParameter) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), f0(0, 1, 0, 0), f1(0, 1, 0, 1);
  sysfs.add(rp, root_port(0x005f, 0x0011)).add(f0, endpoint(true), rp, "mlx5_core").add(f1, endpoint(true), rp);
  const HostView view = read_host(SysfsRoot(sysfs.root()));
  ASSERT_EQ(view.functions.size(), 3u);
  // The root port lacks RR and CR: both functions join its group.
  EXPECT_EQ(view.predicted.group_of.at(f0), view.predicted.group_of.at(rp));
  EXPECT_EQ(view.predicted.group_of.at(f1), view.predicted.group_of.at(rp));
  EXPECT_NE(view.predicted.reason.at(f0).find("not enabled: RR CR"), std::string::npos) << view.predicted.reason.at(f0);
  const IsolationAdvice advice = isolation_advice(view, *view.function(f0));
  ASSERT_EQ(advice.config_acs.size(), 1u);
  EXPECT_EQ(advice.kernel_parameter(), "pci=config_acs=xxx11xx@0000:00:1c.0");
  EXPECT_FALSE(view.group_viable(IommuGroup{0, {rp, f0, f1}, {}, {}, {}}));
}

TEST(IsolationAdvice, IsolatedFunctionsNeedNothing) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), f0(0, 1, 0, 0), f1(0, 1, 0, 1);
  sysfs.add(rp, root_port(0x005f, 0x001d)).add(f0, endpoint(true), rp).add(f1, endpoint(true), rp);
  const HostView view = read_host(SysfsRoot(sysfs.root()));
  EXPECT_NE(view.predicted.group_of.at(f0), view.predicted.group_of.at(f1));
  EXPECT_TRUE(isolation_advice(view, *view.function(f0)).causes.empty());
}

// Functions of a multifunction device without ACS stay together under a
// port with full ACS: no slot elsewhere would split them, only ACS on the
// device (or a quirk for it).
TEST(IsolationAdvice, AMultifunctionDeviceWithoutAcsIsNotToldToMoveSlots) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), f0(0, 1, 0, 0), f1(0, 1, 0, 1);
  ConfigBuilder no_acs;
  no_acs.ids(0x8086, 0x10d3).class_code(0x020000).header_type(0, true).pci_express(0x40, PcieType::endpoint);
  sysfs.add(rp, root_port(0x005f, 0x001d)).add(f0, no_acs, rp, "e1000e").add(f1, no_acs, rp);
  const HostView view = read_host(SysfsRoot(sysfs.root()));
  ASSERT_EQ(view.predicted.group_of.at(f0), view.predicted.group_of.at(f1));
  const IsolationAdvice advice = isolation_advice(view, *view.function(f1));
  ASSERT_FALSE(advice.causes.empty());
  for (const auto& cause : advice.causes) {
    EXPECT_EQ(cause.find("a slot under"), std::string::npos) << cause;
    EXPECT_NE(cause.find("only an ACS capability on the device or a kernel ACS quirk"), std::string::npos) << cause;
  }
  EXPECT_TRUE(advice.config_acs.empty());
}

TEST(IsolationAdvice, BusResetHitsEverythingBelowTheSameBridge) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), other_rp(0, 0, 0x1d, 0), f0(0, 1, 0, 0), f1(0, 1, 0, 1), elsewhere(0, 2, 0, 0);
  sysfs.add(rp, root_port(0x5f, 0x1d)).add(other_rp, root_port(0x5f, 0x1d));
  sysfs.add(f0, endpoint(true), rp).add(f1, endpoint(true), rp).add(elsewhere, endpoint(false), other_rp);
  const HostView view = read_host(SysfsRoot(sysfs.root()));
  EXPECT_EQ(bus_reset_also_hits(view, *view.function(f0)), std::vector<Bdf>{f1});
  EXPECT_TRUE(bus_reset_also_hits(view, *view.function(rp)).empty());
}

}  // namespace
}  // namespace vfiokit::host
