// Predicted IOMMU groups against the groups real kernels formed: sysfs
// snapshots captured by the lab (lab/run) from Debian 6.1, Debian 6.12 and
// the lab's own kernel booting lab/topologies/default.topo.
#include "host/group_prediction.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

class LabSnapshot : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto tarball = std::filesystem::path(VFIOKIT_SOURCE_DIR) / "data/fixtures" / ("lab-q35-" + GetParam() + ".tar.gz");
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

}  // namespace
}  // namespace vfiokit::host
