// SPDX-License-Identifier: Apache-2.0
// Predicted IOMMU groups against the groups real kernels formed: sysfs
// snapshots captured by the lab (lab/run) from Debian 6.1, Debian 6.12 and
// the lab's own kernel booting lab/topologies/default.topo.
#include "vfiokit/host/iommu/group_prediction.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fakes/fake_sysfs.hpp"
#include "support/config_builder.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

class LabSnapshot : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto tarball =
        std::filesystem::path(VFIOKIT_SOURCE_DIR) / "data/fixtures" / ("lab-q35-" + GetParam() + ".tar.gz");
    auto r = testing::run_process({"tar", "-xzf", tarball.string(), "-C", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    functions = read_pci_functions(SysfsRoot(dir.path() / "sys"), problems);
  }
  testing::TempDir dir;
  std::vector<Error> problems;
  std::vector<PciFunction> functions;
};

TEST_P(LabSnapshot, ReadsEveryFunctionWithoutProblems) {
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(functions.size(), 29u);
  for (const auto& f : functions) {
    EXPECT_TRUE(f.problems.empty()) << f.bdf.str() << ": " << f.problems.front().describe();
    EXPECT_TRUE(f.config) << f.bdf.str();
    EXPECT_TRUE(f.iommu_group) << f.bdf.str();
    EXPECT_TRUE(f.vendor_id) << f.bdf.str();
  }
}

TEST_P(LabSnapshot, PredictedGroupsEqualTheKernels) {
  const GroupPrediction predicted = predict_iommu_groups(functions);
  // The same partition, device for device...
  std::map<unsigned, std::set<pci::Bdf>> actual_members, predicted_members;
  for (const auto& f : functions) {
    ASSERT_TRUE(f.iommu_group);
    actual_members[*f.iommu_group].insert(f.bdf);
    predicted_members[predicted.group_of.at(f.bdf)].insert(f.bdf);
  }
  std::set<std::set<pci::Bdf>> actual_sets, predicted_sets;
  for (const auto& [g, m] : actual_members) actual_sets.insert(m);
  for (const auto& [g, m] : predicted_members) predicted_sets.insert(m);
  EXPECT_EQ(predicted_sets, actual_sets);
  // ...and numbered as the kernel numbered them.
  for (const auto& f : functions)
    EXPECT_EQ(predicted.group_of.at(f.bdf), *f.iommu_group) << f.bdf.str() << ": " << predicted.reason.at(f.bdf);
}

TEST_P(LabSnapshot, ReasonsNameTheCause) {
  const GroupPrediction predicted = predict_iommu_groups(functions);
  unsigned bridge_alias = 0, no_acs = 0, multifunction = 0;
  for (const auto& [bdf, why] : predicted.reason) {
    if (why.find("PCIe-to-PCI bridge") != std::string::npos) ++bridge_alias;
    if (why.find("has no ACS capability") != std::string::npos) ++no_acs;
    if (why.find("multifunction") != std::string::npos) ++multifunction;
  }
  EXPECT_EQ(bridge_alias, 3u) << "e1000, pci-testdev and edu behind the pcie-pci-bridge";
  EXPECT_GE(no_acs, 3u) << "the endpoints behind the switch's downstream ports and the ACS-less root port";
  EXPECT_GE(multifunction, 1u) << "the e1000e + edu slot and q35's ICH9 functions";
}

INSTANTIATE_TEST_SUITE_P(Kernels, LabSnapshot, ::testing::Values("debian-6.1", "debian-6.12", "custom"),
                         [](const auto& p) {
                           std::string name = p.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// Groups from a summary read, which leaves VFs' config unread, are the
// groups from the full read: behind a root port with ACS and one without,
// each with a multifunction PF (no ACS of its own) whose VFs share its slot
// and fill the next ones.
TEST(GroupPrediction, ASummaryReadPredictsTheGroupsOfVirtualFunctionsAsTheFullReadDoes) {
  testing::FakeSysfs sysfs;
  for (uint8_t rp = 0; rp < 2; ++rp) {
    const pci::Bdf port(0, 0, static_cast<uint8_t>(0x1c + rp), 0), pf(0, static_cast<uint8_t>(1 + rp), 0, 0);
    testing::ConfigBuilder bridge;
    bridge.ids(0x8086, 0x7ab8).class_code(0x060400).header_type(1).pci_express(0x40, pci::PcieType::root_port);
    if (rp == 0) bridge.acs(0x100, 0x001f, 0x001f);
    sysfs.add(port, bridge);
    testing::ConfigBuilder p;
    p.ids(0x15b3, 0x101d).class_code(0x020000).header_type(0, /*multifunction=*/true);
    p.pci_express(0x40, pci::PcieType::endpoint).sriov(0x100, 16, 12, 0x101e);
    p.u16(0x108, 0x19).u16(0x114, 1).u16(0x116, 1);  // enabled: VF i at the PF's routing ID + 1 + i
    sysfs.add(pf, p, port);
    for (unsigned i = 1; i <= 12; ++i) {
      const pci::Bdf vf(0, pf.bus(), static_cast<uint8_t>(i >> 3), static_cast<uint8_t>(i & 7));
      testing::ConfigBuilder v;
      v.ids(0xffff, 0xffff).class_code(0x020000).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
      sysfs.add(vf, v, port);
      sysfs.link(vf, "physfn", pf);
    }
  }
  std::vector<Error> problems;
  const auto full = read_pci_functions(SysfsRoot(sysfs.root()), problems, Detail::full);
  const auto summary = read_pci_functions(SysfsRoot(sysfs.root()), problems, Detail::summary);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(full.size(), 28u);
  const GroupPrediction a = predict_iommu_groups(full), b = predict_iommu_groups(summary);
  EXPECT_EQ(a.group_of, b.group_of);
  EXPECT_EQ(a.reason, b.reason);
  // Behind the port with ACS each VF is alone; behind the other, all share
  // the port's group.
  std::set<unsigned> with_acs, without;
  for (const auto& f : full)
    if (f.bdf.bus() > 0) (f.bdf.bus() == 1 ? with_acs : without).insert(a.group_of.at(f.bdf));
  EXPECT_EQ(with_acs.size(), 13u);
  EXPECT_EQ(without.size(), 1u);
}

// A second host bridge (QEMU's pxb-pcie: root bus 0x80) beside pcie.0 with
// multifunction root ports: the kernel adds pcie.0's whole hierarchy
// before the next root bus, and numbers groups in that order.
TEST(GroupPrediction, GroupNumbersFollowEachHostBridgeInTurn) {
  testing::FakeSysfs sysfs;
  const auto port = [](bool multifunction) {
    testing::ConfigBuilder b;
    b.ids(0x1b36, 0x000c).class_code(0x060400).header_type(1, multifunction);
    b.pci_express(0x40, pci::PcieType::root_port).acs(0x100, 0x001f, 0x001f);
    return b;
  };
  testing::ConfigBuilder edu;
  edu.ids(0x1234, 0x11e8).class_code(0x00ff00).header_type(0).pci_express(0x40, pci::PcieType::endpoint);
  const pci::Bdf rp_a(0, 0, 0x0d, 0), rp_b(0, 0, 0x0d, 1), pxb_rp(0, 0x80, 0, 0);
  sysfs.add(rp_a, port(true)).add(rp_b, port(true)).add(pxb_rp, port(false));
  sysfs.add(pci::Bdf(0, 1, 0, 0), edu, rp_a).add(pci::Bdf(0, 2, 0, 0), edu, rp_b);
  sysfs.add(pci::Bdf(0, 0x81, 0, 0), edu, pxb_rp);
  std::vector<Error> problems;
  const auto functions = read_pci_functions(SysfsRoot(sysfs.root()), problems);
  ASSERT_EQ(functions.size(), 6u);
  const GroupPrediction p = predict_iommu_groups(functions);
  EXPECT_EQ(p.group_of.at(rp_a), 0u);
  EXPECT_EQ(p.group_of.at(rp_b), 1u);
  EXPECT_EQ(p.group_of.at(pci::Bdf(0, 1, 0, 0)), 2u);
  EXPECT_EQ(p.group_of.at(pci::Bdf(0, 2, 0, 0)), 3u);
  EXPECT_EQ(p.group_of.at(pxb_rp), 4u) << "the second host bridge comes after pcie.0's whole hierarchy";
  EXPECT_EQ(p.group_of.at(pci::Bdf(0, 0x81, 0, 0)), 5u);
}

}  // namespace
}  // namespace vfiokit::host
