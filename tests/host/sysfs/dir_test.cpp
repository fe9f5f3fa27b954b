// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <climits>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

TEST(SysfsDir, ReadIntoStopsAtAShortReadOrAFullBuffer) {
  testing::TempDir tmp;
  tmp.write("uevent", "PCI_CLASS=20000\n");
  tmp.write("config", std::string(300, 'x'));
  auto dir = SysfsDir::open(tmp.path());
  ASSERT_TRUE(dir);
  std::array<char, 256> buf;
  size_t size = 0;
  auto n = dir->read_into("uevent", buf, &size);
  ASSERT_TRUE(n && *n);
  EXPECT_EQ(std::string(buf.data(), **n), "PCI_CLASS=20000\n");
  EXPECT_EQ(size, 16u);  // a short read asks fstat
  n = dir->read_into("config", buf, &size);
  ASSERT_TRUE(n && *n);
  EXPECT_EQ(**n, 256u);
  EXPECT_EQ(size, 256u);  // a full buffer is all the caller asked for
  n = dir->read_into("absent", buf);
  ASSERT_TRUE(n);
  EXPECT_FALSE(*n);
}

// A name no directory can hold is refused by the kernel, not cut to
// NAME_MAX characters and so read as another file.
TEST(SysfsDir, ANameLongerThanNameMaxIsRefusedNotShortened) {
  testing::TempDir tmp;
  const std::string longest(NAME_MAX, 'a');
  tmp.write(longest, "the file of the longest name");
  auto dir = SysfsDir::open(tmp.path());
  ASSERT_TRUE(dir);
  auto fits = dir->read(longest, 4096);
  ASSERT_TRUE(fits && *fits);
  auto too_long = dir->read(longest + "a", 4096);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().sys_errno(), ENAMETOOLONG);
  EXPECT_FALSE(dir->link_target(longest + "a"));
}

TEST(SysfsDir, MessagesNameThePathOfTheEntry) {
  testing::TempDir tmp;
  auto dir = SysfsDir::open(tmp.path());
  ASSERT_TRUE(dir);
  EXPECT_EQ(*dir / "config", (tmp.path() / "config").string());
  auto child = dir->open_child("missing");
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().subject(), (tmp.path() / "missing").string());
}

}  // namespace
}  // namespace vfiokit::host
