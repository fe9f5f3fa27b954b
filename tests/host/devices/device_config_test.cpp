// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/device_config.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

TEST(DeviceConfig, ReadsFromASysfsRoot) {
  testing::TempDir dir;
  std::string config(256, '\0');
  config[0] = '\x86';
  config[1] = '\x80';
  dir.write("bus/pci/devices/0000:03:00.0/config", config);
  auto r = read_device_config(SysfsRoot(dir.path()), pci::Bdf(0, 3, 0, 0));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->config.size(), 256u);
  EXPECT_EQ(*r->config.read16(0), 0x8086);
  EXPECT_FALSE(r->limited_by_privilege);
}

TEST(DeviceConfig, MissingDeviceIsNotFound) {
  testing::TempDir dir;
  auto r = read_device_config(SysfsRoot(dir.path()), pci::Bdf(0, 3, 0, 0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::not_found);
  EXPECT_NE(r.error().describe().find("0000:03:00.0"), std::string::npos);
}

TEST(DeviceConfig, TruncatedFileIsMalformed) {
  testing::TempDir dir;
  dir.write("bus/pci/devices/0000:03:00.0/config", std::string(10, '\0'));
  auto r = read_device_config(SysfsRoot(dir.path()), pci::Bdf(0, 3, 0, 0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::malformed);
}

TEST(DeviceConfig, OddSizesRoundDownToWhatIsComplete) {
  testing::TempDir dir;
  dir.write("bus/pci/devices/0000:03:00.0/config", std::string(300, '\0'));
  auto r = read_device_config(SysfsRoot(dir.path()), pci::Bdf(0, 3, 0, 0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config.size(), 256u);
}

TEST(SysfsRootChoice, ExplicitThenEnvironmentThenSys) {
  ::setenv(kSysfsRootEnv, "/tmp/env-root", 1);
  EXPECT_EQ(SysfsRoot::choose("/x").path(), "/x");
  EXPECT_EQ(SysfsRoot::choose("").path(), "/tmp/env-root");
  ::unsetenv(kSysfsRootEnv);
  EXPECT_EQ(SysfsRoot::choose("").path(), "/sys");
  EXPECT_TRUE(SysfsRoot::choose("").is_live());
}

}  // namespace
}  // namespace vfiokit::host
