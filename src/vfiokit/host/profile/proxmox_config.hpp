// SPDX-License-Identifier: Apache-2.0
// What vfiokit reads of a Proxmox VE guest's configuration
// (/etc/pve/qemu-server/VMID.conf, the format `qm config` prints): the PCI
// functions of its `hostpciN` lines. Their value is a property string whose
// first (default) key is `host`: one or more HOSTPCIIDs separated by ';',
// each `[domain:]bus:dev[.func]` in hexadecimal, where a missing function
// means every function of the slot (qemu-server's PVE/QemuServer/PCI.pm).
//
//   hostpci0: 0000:03:00,pcie=1,x-vga=1
//   hostpci1: host=04:00.0;04:00.1,rombar=0
//
// Only the guest's current configuration is read: the lines before the
// first `[section]` (snapshots and pending changes follow it). A
// `mapping=NAME` (a cluster-wide resource mapping) or an `mdev=` entry is
// refused: which host function it means is decided by Proxmox at start.
// The file is hostile input: at most 1 MiB of UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

inline constexpr size_t kProxmoxConfigLimit = 1 << 20;

// One HOSTPCIID: a function, or a whole slot when `function` is unset.
struct ProxmoxHostpci {
  std::string key;  // "hostpci0", for messages
  unsigned line = 0;
  uint16_t domain = 0;
  uint8_t bus = 0, device = 0;
  std::optional<uint8_t> function;
};

// `source` names the file in errors ("100.conf:7: ...").
Result<std::vector<ProxmoxHostpci>> parse_proxmox_hostpci(std::string_view text, const std::string& source);

// Proxmox VMIDs are decimal numbers from 100 (qm's `pve-vmid` format); the
// check keeps a hook's argument from naming any other file.
Result<void> check_proxmox_vmid(std::string_view vmid);

}  // namespace vfiokit::host
