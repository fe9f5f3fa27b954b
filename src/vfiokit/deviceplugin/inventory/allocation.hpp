// SPDX-License-Identifier: Apache-2.0
// What the kubelet's Allocate, GetPreferredAllocation and PreStartContainer
// get, decided from the advertised devices and the tree, without gRPC: the
// service (service/device_plugin_service) only translates. Every device ID
// a request names must be one of the resource's; anything else is refused,
// since an ID is the kubelet's word for a group this plugin hands out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"
#include "vfiokit/deviceplugin/inventory/plugin_device.hpp"

namespace vfiokit::deviceplugin {

struct ContainerAllocation {
  std::vector<std::string> device_nodes;    // host path = container path
  std::map<std::string, std::string> envs;  // PCI_RESOURCE_<NAME>=BDF,BDF...
};

// The device nodes and environment for one container: the group's nodes
// (or the iommufd and cdev nodes), each once, and every function's address
// in the order of the IDs asked for. Refused (invalid_argument) for an ID
// that is not the resource's, a repeated ID or no ID; refused (unsupported)
// for a device that is unhealthy now, read from the tree.
Result<ContainerAllocation> allocate(const host::SysfsRoot& root, const ResourceConfig& resource,
                                     const std::vector<PluginDevice>& devices, const std::vector<std::string>& ids);

// Checked before the container starts: every device is still whole on
// vfio-pci (a group can break between Allocate and the start).
Result<void> check_ready(const host::SysfsRoot& root, const std::vector<PluginDevice>& devices,
                         const std::vector<std::string>& ids);

// `size` devices from `available`, every one of `must_include` among them,
// the rest chosen to share the NUMA nodes of those (or of the node with
// most available devices), then by ID.
Result<std::vector<std::string>> preferred_allocation(const std::vector<PluginDevice>& devices,
                                                      const std::vector<std::string>& available,
                                                      const std::vector<std::string>& must_include, int size);

}  // namespace vfiokit::deviceplugin
