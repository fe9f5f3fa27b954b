// SPDX-License-Identifier: Apache-2.0
#include "support/function_compare.hpp"

#include <gtest/gtest.h>

namespace vfiokit::testing {

void expect_same_shown(const host::PciFunction& a, const host::PciFunction& b, const std::string& where) {
  EXPECT_EQ(a.bdf, b.bdf) << where;
  EXPECT_EQ(a.parent, b.parent) << where;
  EXPECT_EQ(a.vendor_id, b.vendor_id) << where;
  EXPECT_EQ(a.device_id, b.device_id) << where;
  EXPECT_EQ(a.class_code, b.class_code) << where;
  EXPECT_EQ(a.driver, b.driver) << where;
  EXPECT_EQ(a.driver_override, b.driver_override) << where;
  EXPECT_EQ(a.iommu_group, b.iommu_group) << where;
  EXPECT_EQ(a.numa_node, b.numa_node) << where;
  EXPECT_EQ(a.reset_methods, b.reset_methods) << where;
  EXPECT_EQ(a.power_state, b.power_state) << where;
  EXPECT_EQ(a.d3cold_allowed, b.d3cold_allowed) << where;
  EXPECT_EQ(a.resizable_bars, b.resizable_bars) << where;
  EXPECT_EQ(a.vfio_dev, b.vfio_dev) << where;
  EXPECT_EQ(a.sriov_totalvfs, b.sriov_totalvfs) << where;
  EXPECT_EQ(a.virtual_function, b.virtual_function) << where;
  EXPECT_EQ(a.physfn, b.physfn) << where;
  EXPECT_EQ(a.is_bridge(), b.is_bridge()) << where;
  EXPECT_EQ(a.problems.size(), b.problems.size()) << where;
}

}  // namespace vfiokit::testing
