// SPDX-License-Identifier: Apache-2.0
// Hot reset (secondary bus or slot reset) touches every function below the
// bridge; VFIO_DEVICE_GET_PCI_HOT_RESET_INFO lists them and the reset
// demands proof that the caller owns each one.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::vfio {

struct HotResetPeer {
  pci::Bdf bdf;
  // The IOMMU group (legacy caller) or the iommufd devid (cdev caller, where
  // kDevIdNotOwned marks a device outside the caller's iommufd).
  uint32_t id = 0;
  bool is_devid = false;
  bool owned_by_caller() const;
};

struct HotResetInfo {
  uint32_t flags = 0;
  bool all_owned = false;  // cdev: every affected device is bound to the caller's iommufd
  std::vector<HotResetPeer> peers;
};

// Decodes the kernel's reply; `count` entries must fit in the reply.
Result<HotResetInfo> parse_hot_reset_info(std::span<const uint8_t> reply);

// The legacy proof of ownership: one fd per affected group, from the groups
// the caller holds (group id -> fd). Fails naming every affected function
// whose group is not held, before the kernel's bare EPERM.
Result<std::vector<int32_t>> hot_reset_group_fds(const std::vector<HotResetPeer>& peers,
                                                 const std::map<unsigned, int>& held_groups);
// The cdev proof: devids are the proof, so every affected function must be
// bound to the caller's iommufd (or owned through it); fails naming the rest.
Result<void> check_devids_owned(const std::vector<HotResetPeer>& peers);

}  // namespace vfiokit::vfio
