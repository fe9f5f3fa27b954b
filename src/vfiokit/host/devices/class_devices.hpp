// SPDX-License-Identifier: Apache-2.0
// The network interfaces and block devices below each PCI function, read
// from the links of ROOT/class/net and ROOT/class/block. A class link names
// its device's real directory (../../devices/pci0000:00/0000:00:04.0/
// 0000:0a:00.0/nvme/nvme0/nvme0n1): the function is the last address in
// that path. Only the link's text is read, never followed, so a tree handed
// to vfiokit cannot lead the read anywhere, and one pass over each class
// serves every function (lspci -k would look per device).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

struct ClassDevices {
  std::vector<std::string> interfaces;     // class/net names, sorted
  std::vector<std::string> block_devices;  // class/block names (disks and partitions), sorted
};

std::map<pci::Bdf, ClassDevices> class_devices_by_function(const SysfsRoot& root);

// The function a class link's target lies below (its last address
// component that is followed by more), if any. For tests.
std::optional<pci::Bdf> function_of_class_link(const std::string& target);

}  // namespace vfiokit::host
