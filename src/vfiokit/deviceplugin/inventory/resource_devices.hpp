// SPDX-License-Identifier: Apache-2.0
// Which IOMMU groups each configured resource advertises on a host: every
// group holding a function a selector (or the profile) names. A group is
// one device, whole: two resources never share one (the first in the file
// takes it, the other is told), and a group whose members a resource does
// not name still goes as a whole, since VFIO hands out groups, not
// functions.
#pragma once

#include <vector>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"
#include "vfiokit/deviceplugin/inventory/plugin_device.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::deviceplugin {

struct ResourceDevices {
  std::vector<PluginDevice> devices;  // by ID
  std::vector<std::string> notes;     // what was left out and why
};

// One entry per resource of `config`, in its order; health from the tree.
// An error when a resource's profile cannot be read or matched.
Result<std::vector<ResourceDevices>> find_resource_devices(const host::SysfsRoot& root, const host::HostView& host,
                                                           const PluginConfig& config);

// The groups of `resource` that are not all on vfio-pci yet: what
// `bind = true` binds at start.
std::vector<unsigned> groups_to_bind(const ResourceDevices& resource);

}  // namespace vfiokit::deviceplugin
