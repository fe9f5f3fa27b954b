// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/allocation.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "vfiokit/host/sysfs/confinement.hpp"

namespace vfiokit::deviceplugin {
namespace {

namespace fs = std::filesystem;
using pci::Bdf;

// A tree with just what health and Allocate read: each function's
// directory, its iommu_group and driver links, and its vfio-dev cdev.
class Tree {
 public:
  void function(const Bdf& bdf, unsigned group, const std::string& driver, int cdev = -1) {
    const fs::path dir = root().path() / "bus/pci/devices" / bdf.str();
    fs::create_directories(dir);
    fs::create_directories(root().path() / "kernel/iommu_groups" / std::to_string(group));
    fs::create_symlink("../../../../kernel/iommu_groups/" + std::to_string(group), dir / "iommu_group");
    if (!driver.empty()) fs::create_symlink("../../../../bus/pci/drivers/" + driver, dir / "driver");
    if (cdev >= 0) fs::create_directories(dir / "vfio-dev" / ("vfio" + std::to_string(cdev)));
  }
  void unbind(const Bdf& bdf) { fs::remove(root().path() / "bus/pci/devices" / bdf.str() / "driver"); }
  host::SysfsRoot root() const { return host::SysfsRoot(dir_.path()); }

 private:
  testing::TempDir dir_;
};

PluginDevice device(const std::string& id, unsigned group, std::vector<Bdf> functions, std::vector<int64_t> numa = {}) {
  PluginDevice d;
  d.id = id;
  d.group = group;
  d.functions = std::move(functions);
  d.numa_nodes = std::move(numa);
  d.healthy = true;
  return d;
}

ResourceConfig resource(DeviceNodes nodes) {
  ResourceConfig r;
  r.name = "vfiokit.io/nic";
  r.nodes = nodes;
  return r;
}

const Bdf kA(0, 3, 0, 0), kA1(0, 3, 0, 1), kB(0, 4, 0, 0);

struct AllocationTest : ::testing::Test {
  void SetUp() override {
    tree.function(kA, 12, "vfio-pci", 0);
    tree.function(kA1, 12, "vfio-pci", 1);
    tree.function(kB, 13, "vfio-pci", 2);
    devices = {device("0000:03:00.0", 12, {kA, kA1}), device("0000:04:00.0", 13, {kB})};
  }
  Tree tree;
  std::vector<PluginDevice> devices;
};

TEST_F(AllocationTest, GroupNodesOnceAndEveryAddressInOrder) {
  auto a = allocate(tree.root(), resource(DeviceNodes::group), devices, {"0000:04:00.0", "0000:03:00.0"});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->device_nodes, (std::vector<std::string>{"/dev/vfio/vfio", "/dev/vfio/13", "/dev/vfio/12"}));
  EXPECT_EQ(
      a->envs,
      (std::map<std::string, std::string>{{"PCI_RESOURCE_VFIOKIT_IO_NIC", "0000:04:00.0,0000:03:00.0,0000:03:00.1"}}));
}

TEST_F(AllocationTest, CdevNodesAreEachFunctionsOwn) {
  auto a = allocate(tree.root(), resource(DeviceNodes::cdev), devices, {"0000:03:00.0"});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->device_nodes,
            (std::vector<std::string>{"/dev/iommu", "/dev/vfio/devices/vfio0", "/dev/vfio/devices/vfio1"}));
}

TEST_F(AllocationTest, UnknownRepeatedOrMissingIdsAreRefused) {
  const auto r = resource(DeviceNodes::group);
  for (const auto& ids : std::vector<std::vector<std::string>>{
           {"0000:05:00.0"}, {"0000:03:00.0", "0000:03:00.0"}, {}, {"0000:03:00.1"}, {"\x1b]0;x\x07"}}) {
    auto a = allocate(tree.root(), r, devices, ids);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), Errc::invalid_argument);
    EXPECT_EQ(a.error().describe().find('\x1b'), std::string::npos) << "an ID from the request is shown escaped";
  }
}

TEST_F(AllocationTest, AGroupThatBrokeSinceItWasListedIsRefused) {
  tree.unbind(kA1);
  auto a = allocate(tree.root(), resource(DeviceNodes::group), devices, {"0000:03:00.0"});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code(), Errc::unsupported);
  EXPECT_NE(a.error().describe().find("0000:03:00.1 has no driver"), std::string::npos) << a.error().describe();
  EXPECT_FALSE(check_ready(tree.root(), devices, {"0000:03:00.0"}));
  EXPECT_TRUE(check_ready(tree.root(), devices, {"0000:04:00.0"}));
}

TEST_F(AllocationTest, AFunctionWithoutACdevIsRefusedForCdevNodes) {
  fs::remove_all(tree.root().device_dir(kB) / "vfio-dev");
  auto a = allocate(tree.root(), resource(DeviceNodes::cdev), devices, {"0000:04:00.0"});
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().describe().find("no VFIO cdev"), std::string::npos);
}

TEST_F(AllocationTest, AHandedOverTreeIsReadConfinedToIt) {
  // A function whose directory is a link out of the tree, to one that looks
  // whole on vfio-pci: read confined, as the plugin reads such a tree, it is
  // not there at all.
  testing::TempDir outside;
  fs::create_directories(outside.path() / "fn/vfio-dev/vfio9");
  fs::create_symlink("/nonexistent/kernel/iommu_groups/13", outside.path() / "fn/iommu_group");
  fs::create_symlink("/nonexistent/drivers/vfio-pci", outside.path() / "fn/driver");
  const fs::path link = tree.root().path() / "bus/pci/devices" / kB.str();
  fs::remove_all(link);
  fs::create_symlink(outside.path() / "fn", link);
  EXPECT_FALSE(why_unhealthy(tree.root(), devices[1])) << "unconfined, the link is followed";
  auto confinement = host::Confinement::open(tree.root().path());
  ASSERT_TRUE(confinement) << confinement.error().describe();
  host::ConfinedTree confined(std::move(*confinement));
  const auto why = why_unhealthy(tree.root(), devices[1]);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "0000:04:00.0 is gone");
  EXPECT_FALSE(allocate(tree.root(), resource(DeviceNodes::cdev), devices, {"0000:04:00.0"}));
}

TEST(PreferredAllocation, StaysOnTheNumaNodeOfWhatMustBeIncluded) {
  const std::vector<PluginDevice> devices = {device("a", 1, {}, {0}), device("b", 2, {}, {1}), device("c", 3, {}, {1}),
                                             device("d", 4, {}, {0})};
  auto p = preferred_allocation(devices, {"a", "b", "c", "d"}, {"b"}, 2);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(*p, (std::vector<std::string>{"b", "c"}));
  // Nothing required: the node with most available devices.
  auto q = preferred_allocation(devices, {"a", "b", "c"}, {}, 2);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (std::vector<std::string>{"b", "c"}));
}

TEST(PreferredAllocation, ImpossibleRequestsAreRefused) {
  const std::vector<PluginDevice> devices = {device("a", 1, {}), device("b", 2, {})};
  EXPECT_FALSE(preferred_allocation(devices, {"a", "b"}, {}, 3));
  EXPECT_FALSE(preferred_allocation(devices, {"a", "b"}, {}, 0));
  EXPECT_FALSE(preferred_allocation(devices, {"a"}, {"b"}, 1));
  EXPECT_FALSE(preferred_allocation(devices, {"a", "x"}, {}, 1));
  EXPECT_FALSE(preferred_allocation(devices, {"a", "b"}, {"a", "b"}, 1));
}

}  // namespace
}  // namespace vfiokit::deviceplugin
