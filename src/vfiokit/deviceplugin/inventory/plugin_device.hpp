// SPDX-License-Identifier: Apache-2.0
// One device the plugin advertises: a whole IOMMU group. Its ID is the
// address of the group's first matching function, which stays the same
// across reboots (group numbers need not) and is what an operator reads
// in `kubectl describe node` and the kubelet's checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::deviceplugin {

inline constexpr const char* kHealthy = "Healthy";
inline constexpr const char* kUnhealthy = "Unhealthy";

struct PluginDevice {
  std::string id;
  unsigned group = 0;
  // The group's endpoints (bridges are not handed out: VFIO ignores them):
  // the functions the resource matched first, then the others, each by
  // address, the order KubeVirt takes addresses in.
  std::vector<pci::Bdf> functions;
  std::vector<int64_t> numa_nodes;  // distinct, ascending; empty when the kernel gives none
  bool healthy = false;
  std::string reason;  // why it is not healthy, for the log and --check

  // What the kubelet sees of it: ID, health and topology.
  bool same_for_kubelet(const PluginDevice& other) const {
    return id == other.id && healthy == other.healthy && numa_nodes == other.numa_nodes;
  }
};

// Why the group cannot be handed out now (a function gone, left vfio-pci,
// or moved to another group), read from the tree; nullopt when every
// endpoint is on vfio-pci in the group, which is what makes /dev/vfio/N
// openable (VFIO refuses a group with a member on another driver, EPERM
// at VFIO_GROUP_GET_DEVICE_FD; drivers/vfio/group.c).
std::optional<std::string> why_unhealthy(const host::SysfsRoot& root, const PluginDevice& device);

// Health from the tree, set on `device`; true when it changed.
bool refresh_health(const host::SysfsRoot& root, PluginDevice& device);

}  // namespace vfiokit::deviceplugin
