// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/class_devices.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

TEST(ClassDevices, TheFunctionIsTheLastAddressBeforeTheDevice) {
  EXPECT_EQ(function_of_class_link("../../devices/pci0000:00/0000:00:04.0/0000:0a:00.0/nvme/nvme0/nvme0n1"),
            pci::Bdf(0, 0x0a, 0, 0));
  EXPECT_EQ(function_of_class_link("../../devices/pci0000:00/0000:00:02.0/0000:01:00.0/virtio1/net/eth0"),
            pci::Bdf(0, 0x01, 0, 0));
  EXPECT_EQ(function_of_class_link("../../devices/virtual/net/lo"), std::nullopt);
  EXPECT_EQ(function_of_class_link("0000:0a:00.0"), std::nullopt);  // the device itself is no function
}

TEST(ClassDevices, OnePassOverNetAndBlockNeverFollowingTheLinks) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "class/net");
  std::filesystem::create_directories(dir.path() / "class/block");
  const auto link = [&](const char* target, const std::string& at) {
    ASSERT_EQ(::symlink(target, (dir.path() / at).c_str()), 0) << at;
  };
  link("../../devices/pci0000:00/0000:00:03.0/0000:0b:00.0/net/enp11s0", "class/net/enp11s0");
  link("../../devices/virtual/net/lo", "class/net/lo");
  link("../../devices/pci0000:00/0000:00:04.0/0000:0a:00.0/nvme/nvme0/nvme0n1", "class/block/nvme0n1");
  link("../../devices/pci0000:00/0000:00:04.0/0000:0a:00.0/nvme/nvme0/nvme0n1/nvme0n1p1", "class/block/nvme0n1p1");
  const auto found = class_devices_by_function(SysfsRoot(dir.path()));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found.at(pci::Bdf(0, 0x0b, 0, 0)).interfaces, std::vector<std::string>{"enp11s0"});
  EXPECT_EQ(found.at(pci::Bdf(0, 0x0a, 0, 0)).block_devices, (std::vector<std::string>{"nvme0n1", "nvme0n1p1"}));
}

}  // namespace
}  // namespace vfiokit::host
