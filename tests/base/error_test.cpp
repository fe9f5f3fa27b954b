// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/error.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace vfiokit {
namespace {

TEST(Error, DescribeNamesSubjectOffsetAndErrno) {
  Error e = Error::from_errno(ENOENT, "/sys/bus/pci/devices/0000:03:00.0/config", "cannot open");
  EXPECT_EQ(e.code(), Errc::not_found);
  EXPECT_EQ(e.describe(), "/sys/bus/pci/devices/0000:03:00.0/config: cannot open: No such file or directory");
  Error m(Errc::malformed, "ACS capability", "too short");
  m.at_offset(0x140);
  EXPECT_EQ(m.describe(), "ACS capability: too short (at 0x140)");
}

TEST(Error, ErrnoMapsToKinds) {
  EXPECT_EQ(Error::from_errno(EPERM, "x", "y").code(), Errc::permission);
  EXPECT_EQ(Error::from_errno(ENOTTY, "x", "y").code(), Errc::unsupported);
  EXPECT_EQ(Error::from_errno(EIO, "x", "y").code(), Errc::io);
}

}  // namespace
}  // namespace vfiokit
