// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/tree_path.hpp"

#include <gtest/gtest.h>

namespace vfiokit::host {
namespace {

TEST(TreePath, EntriesAreRelativeWithoutParents) {
  EXPECT_EQ(*tree_path_components("./sys//bus/./pci", "x"), (std::vector<std::string>{"sys", "bus", "pci"}));
  EXPECT_TRUE(tree_path_components("./", "x")->empty());
  EXPECT_FALSE(tree_path_components("/etc/passwd", "x"));
  EXPECT_FALSE(tree_path_components("sys/../../x", "x"));
  EXPECT_FALSE(tree_path_components("..", "x"));
}

TEST(TreePath, LinksStayInsideOnlyAsSysfsWritesThem) {
  // bus/pci/devices/BDF, three directories below the root.
  EXPECT_TRUE(link_stays_inside("../../../devices/pci0000:00/0000:00:01.0", 3));
  EXPECT_FALSE(link_stays_inside("../../../../devices", 3));
  EXPECT_TRUE(link_stays_inside("0000:00:01.0", 0));
  EXPECT_FALSE(link_stays_inside("/sys/devices", 5));
  EXPECT_FALSE(link_stays_inside("", 5));
  // A ".." after a name: the name may itself be a link going elsewhere.
  EXPECT_FALSE(link_stays_inside("a/b/../..", 5));
  EXPECT_TRUE(link_stays_inside("./../x", 1));
}

}  // namespace
}  // namespace vfiokit::host
