// SPDX-License-Identifier: Apache-2.0
// What vfiokit-device-plugin advertises: its configuration file (TOML,
// docs/kubernetes.md), one table per Kubernetes extended resource:
//
//   [resource."vfiokit.io/nic"]
//   select = ["8086:10d3", "15b3::0200"]   # vendor:device[:class], as lspci -d
//   bind = true                # bind the matching groups to vfio-pci at start
//   device-nodes = "group"     # what Allocate hands out: "group" or "cdev"
//
//   [resource."vfiokit.io/gpu"]
//   profile = "/etc/vfiokit/profiles/gpu.toml"   # the groups of a profile's devices
//
// Each device of a resource is one IOMMU group holding a matching function.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/selection/device_patterns.hpp"

namespace vfiokit::deviceplugin {

// The device nodes a container gets for a group: the legacy VFIO container
// and group (/dev/vfio/vfio, /dev/vfio/N), or iommufd and each function's
// VFIO cdev (/dev/iommu, /dev/vfio/devices/vfioX).
enum class DeviceNodes { group, cdev };

struct ResourceConfig {
  std::string name;  // "vfiokit.io/gpu"
  unsigned line = 0;
  std::vector<std::string> selectors;  // as written, for messages
  std::vector<pci::IdPattern> patterns;
  std::optional<std::filesystem::path> profile;
  bool bind = false;
  DeviceNodes nodes = DeviceNodes::group;
};

struct PluginConfig {
  std::vector<ResourceConfig> resources;  // in the file's order
};

// An extended resource name as the kubelet accepts it: DOMAIN/NAME, the
// domain a DNS subdomain outside kubernetes.io, the name at most 63
// letters, digits, '-', '_' and '.', starting and ending alphanumeric.
Result<void> check_resource_name(std::string_view name);

// Every error names the source and line, and the key at fault.
Result<PluginConfig> parse_plugin_config(std::string_view text, const std::string& source);
// A regular file (no link at its end, no FIFO) of at most 1 MiB.
Result<PluginConfig> read_plugin_config(const std::filesystem::path& path);

// The variable KubeVirt reads a resource's PCI addresses from:
// PCI_RESOURCE_ and the name upper-cased with '.' and '/' as '_'.
std::string pci_resource_env(std::string_view resource_name);

}  // namespace vfiokit::deviceplugin
