// SPDX-License-Identifier: Apache-2.0
// Proxmox guest configurations (host/profile/proxmox_config.hpp): the
// hostpci lines as qemu-server writes them, and every way one can be wrong.
#include "vfiokit/host/profile/proxmox_config.hpp"

#include <gtest/gtest.h>

namespace vfiokit::host {
namespace {

// A guest as `qm config` prints it, with a snapshot after the current configuration.
constexpr const char* kConfig = R"(#GPU passthrough guest
boot: order=scsi0
cores: 4
hostpci0: 0000:02:00,pcie=1,x-vga=1
hostpci1: host=01:00.0;0001:03:1f.7,rombar=0
machine: q35
memory: 8192
name: win11
scsi0: local-lvm:vm-100-disk-0,size=64G
vmgenid: 1e0c2d0b-4c1e-4e5e-9a34-2b6a6b0a7c11

[before-update]
hostpci0: 0000:09:00.0
)";

TEST(ProxmoxConfig, ReadsEveryHostpciIdOfTheCurrentConfiguration) {
  auto ids = parse_proxmox_hostpci(kConfig, "100.conf");
  ASSERT_TRUE(ids) << ids.error().describe();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ((*ids)[0].key, "hostpci0");
  EXPECT_EQ((*ids)[0].line, 4u);
  EXPECT_EQ((*ids)[0].bus, 2);
  EXPECT_FALSE((*ids)[0].function);  // the whole slot
  EXPECT_EQ((*ids)[1].domain, 0);
  EXPECT_EQ((*ids)[1].bus, 1);
  EXPECT_EQ((*ids)[1].function, 0);
  EXPECT_EQ((*ids)[2].domain, 1);
  EXPECT_EQ((*ids)[2].bus, 3);
  EXPECT_EQ((*ids)[2].device, 0x1f);
  EXPECT_EQ((*ids)[2].function, 7);
}

TEST(ProxmoxConfig, AGuestWithoutHostpciHasNone) {
  auto ids = parse_proxmox_hostpci("cores: 2\nmemory: 2048\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n", "101.conf");
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty());
}

TEST(ProxmoxConfig, WrongLinesAreRefusedNamingTheFileLineAndKey) {
  const std::pair<std::string, std::string> cases[] = {
      {"cores: 2\nhostpci0: mapping=gpu,pcie=1\n", "100.conf:2: hostpci0: mapping=gpu is decided by Proxmox"},
      {"hostpci3: 0000:02:00.0,mdev=nvidia-63\n", "100.conf:1: hostpci3: mdev=nvidia-63 is decided by Proxmox"},
      {"hostpci0: 2:00.0\n", "100.conf:1: hostpci0: '2:00.0' is not a HOSTPCIID"},
      {"hostpci0: 02:00.8\n", "'02:00.8' is not a HOSTPCIID"},
      {"hostpci0: 02:20.0\n", "'02:20.0' is not a HOSTPCIID"},
      {"hostpci0: 02:00.0;\n", "'' is not a HOSTPCIID"},
      {"hostpci0: pcie=1\n", "100.conf:1: hostpci0: names no host function"},
      {"hostpci0: 02:00.0,pcie\n", "'pcie' is not a property"},
      {"hostpci0: 02:00.0\x1b[2J\n", "'02:00.0\\x1b[2J' is not a HOSTPCIID"},
      {"name: \xff\xfe\n", "100.conf: is not UTF-8 text"},
  };
  for (const auto& [text, expected] : cases) {
    auto ids = parse_proxmox_hostpci(text, "100.conf");
    ASSERT_FALSE(ids) << text;
    EXPECT_NE(ids.error().describe().find(expected), std::string::npos) << text << "\n" << ids.error().describe();
  }
}

TEST(ProxmoxConfig, VmidsAreNumbersFromOneHundred) {
  EXPECT_TRUE(check_proxmox_vmid("100"));
  EXPECT_TRUE(check_proxmox_vmid("999999999"));
  for (const char* bad : {"", "99", "0100", "1e3", "../100", "100.conf", "1000000000", "-100"})
    EXPECT_FALSE(check_proxmox_vmid(bad)) << bad;
}

}  // namespace
}  // namespace vfiokit::host
