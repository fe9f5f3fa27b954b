// SPDX-License-Identifier: Apache-2.0
// Whether the host is using a PCI function, so that taking it away for VFIO
// would pull a disk, a network or the console from under a running system:
// block devices with a mounted filesystem, active swap or a holder (RAID,
// LVM, dm-crypt); network interfaces that are up with addresses or routes;
// the boot VGA device and framebuffers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

// Where the live system's tables are; tests point these at files.
struct ProcTables {
  std::string mounts = "/proc/self/mounts";
  std::string swaps = "/proc/swaps";
  std::string ipv4_routes = "/proc/net/route";
  std::string ipv6_routes = "/proc/net/ipv6_route";
};

// One sentence per use, e.g. "block device nvme0n1 is mounted at /mnt".
std::vector<std::string> function_uses(const SysfsRoot& root, const pci::Bdf& bdf, const ProcTables& proc = {});

// Pieces, for tests.
std::vector<std::string> class_members_below(const SysfsRoot& root, const pci::Bdf& bdf, const char* cls);
std::vector<std::string> block_devices_of(const SysfsRoot& root, const pci::Bdf& bdf);  // disks and partitions
std::vector<std::string> interfaces_of(const SysfsRoot& root, const pci::Bdf& bdf);
// "/dev/NAME" entries of a mounts or swaps table: (device name, mount point or "swap").
std::vector<std::pair<std::string, std::string>> mounted_devices(std::string_view mounts_table);
std::vector<std::string> swap_devices(std::string_view swaps_table);
std::vector<std::string> interfaces_with_routes(std::string_view ipv4_routes, std::string_view ipv6_routes);

}  // namespace vfiokit::host
