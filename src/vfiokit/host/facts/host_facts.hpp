// SPDX-License-Identifier: Apache-2.0
// What `list` and the selection options know of each function beyond its
// own attributes: the interfaces and disks below it, the modules that could
// drive it, what on the host uses it, and for each IOMMU group whether VFIO
// can use it now and whether `bind` would take it without --force.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/devices/class_devices.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

struct FunctionFacts {
  ClassDevices class_devices;
  std::optional<std::vector<std::string>> modules;  // nullopt: no modules.alias goes with the tree
  std::vector<std::string> in_use;                  // why bind would refuse it without --force
  // Nothing known beyond the function's own attributes.
  bool empty() const {
    return class_devices.interfaces.empty() && class_devices.block_devices.empty() && !modules && in_use.empty();
  }
};

struct GroupFacts {
  bool viable = false;                // every endpoint on vfio-pci or on no driver
  bool bindable = false;              // `bind` would take the group without --force
  std::vector<std::string> refusals;  // why not, each naming its function
};

struct HostFacts {
  std::map<pci::Bdf, FunctionFacts> functions;
  std::map<unsigned, GroupFacts> groups;  // the kernel's groups only

  const FunctionFacts& of(const pci::Bdf& bdf) const;
};

// `modules_alias` is the text of the modules.alias that goes with the tree
// (SysfsSource::read_modules_alias). What uses a function (mounts, swap,
// routes, addresses) is the running system's, so it is looked for only
// when `root` is the live /sys; a snapshot says what is below each
// function but not what the host did with it.
// The group verdicts (viable, bindable) plan a bind of every group: a
// caller that shows none of them asks for GroupVerdicts::skip.
enum class GroupVerdicts { read, skip };
HostFacts read_host_facts(const SysfsRoot& root, const HostView& view, const std::optional<std::string>& modules_alias,
                          GroupVerdicts verdicts = GroupVerdicts::read);

}  // namespace vfiokit::host
